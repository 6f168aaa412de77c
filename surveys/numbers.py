"""Percentages as people round them, the same on every page, download and report.

``"%.0f" % (0.575 * 100)`` gives 57, because 0.575 * 100 is 57.49999... in floating point, and
Python's ``round`` sends halves to the even number (62.5 -> 62). People, and spreadsheets, round
halves up: 23 of 40 is 58%, 5 of 8 is 63%.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction


def _exact(value: float | int) -> Fraction:
    # The decimal a float prints as (0.575), not its binary neighbour (0.57499999...).
    return Fraction(Decimal(repr(value))) if isinstance(value, float) else Fraction(value)


def percent(part: float | int, whole: float | int = 1) -> int:
    """`part` of `whole` as a whole percentage, halves up; 0 when `whole` is 0. With one
    argument, `part` is a share (0.575 -> 58)."""
    if not whole:
        return 0
    return math.floor(_exact(part) * 100 / _exact(whole) + Fraction(1, 2))
