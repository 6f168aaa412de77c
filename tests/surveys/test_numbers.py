"""Percentages round halves up, as people and spreadsheets do."""

from __future__ import annotations

import pytest

from surveys.numbers import percent


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (23, 40, 58),  # 57.5%: "%.0f" gave 57 (0.575 * 100 is 57.4999... in floating point)
        (5, 8, 63),  # 62.5%: round() gave 62 (halves to even)
        (1, 8, 13),  # 12.5%
        (1, 3, 33),
        (2, 3, 67),
        (0, 5, 0),
        (3, 0, 0),  # nothing to be a share of
    ],
)
def test_a_part_of_a_whole(part: int, whole: int, expected: int) -> None:
    assert percent(part, whole) == expected


def test_a_share_as_it_prints() -> None:
    assert percent(0.575) == 58
    assert percent(23 / 40) == 58
    assert percent(0.125) == 13
    assert percent(0.0) == 0
    assert percent(1.0) == 100
