"""Themes by respondent group: right counts, honest flags, no small number shown or derivable."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from scipy import stats

from analysis.breakdowns import (
    OVER,
    SUPPRESS_BELOW,
    UNDER,
    Breakdown,
    breakdown,
    breakdowns,
    suppress_sizes,
    wilson,
)
from analysis.errors import AnalysisError


def _answers(spec: dict[str | None, list[tuple[tuple[str, ...], int]]]):
    """Memberships and group values from {group: [(themes, how many answers), ...]}."""
    memberships: list[tuple[str, ...]] = []
    values: list[str | None] = []
    for value, rows in spec.items():
        for themes, n in rows:
            memberships += [themes] * n
            values += [value] * n
    return memberships, values


def _cell(result: Breakdown, value: str | None, theme: str):
    group = next(g for g in result.groups if g.value == value)
    return next(c for c in group.cells if c.theme == theme)


def _test(result: Breakdown, theme: str):
    return next(t for t in result.tests if t.theme == theme)


def test_counts_and_shares_per_group_with_several_themes_per_answer() -> None:
    memberships, values = _answers(
        {
            "Kilmarnock": [(("buses",), 20), (("buses", "roads"), 15), ((), 15)],
            "Irvine": [(("roads",), 30), (("buses", "roads"), 10), (("parks",), 20)],
        }
    )
    result = breakdown(memberships, values, attribute="locality")
    assert result.attribute == "locality"
    assert result.respondents == 110
    assert result.themes == ("roads", "buses", "parks")  # by size: 55, 45, 20
    assert [g.value for g in result.groups] == ["Irvine", "Kilmarnock"]
    assert [g.respondents for g in result.groups] == [60, 50]
    kilmarnock_buses = _cell(result, "Kilmarnock", "buses")
    assert kilmarnock_buses.count == 35
    assert kilmarnock_buses.share == pytest.approx(0.7)
    assert kilmarnock_buses.low < 0.7 < kilmarnock_buses.high
    assert _cell(result, "Irvine", "roads").count == 40
    assert _cell(result, "Kilmarnock", "parks").count == 0  # zeros are shown, as for equalities
    assert [t.total for t in result.tests] == [55, 45, 20]


def test_over_and_under_represented_groups_are_flagged_and_match_scipy() -> None:
    memberships, values = _answers(
        {
            "Under 25": [(("youth club",), 40), (("bins",), 10)],
            "25 to 64": [(("youth club",), 12), (("bins",), 38)],
            "65 and over": [(("youth club",), 14), (("bins",), 36)],
        }
    )
    result = breakdown(memberships, values, groups=["Under 25", "25 to 64", "65 and over"])
    youth = _cell(result, "Under 25", "youth club")
    assert youth.flag == OVER
    assert youth.residual > 1.96
    assert _cell(result, "25 to 64", "youth club").flag == UNDER
    assert _cell(result, "Under 25", "bins").flag == UNDER
    assert ("Under 25", "youth club", OVER) in result.flagged()

    table = np.array([[40, 12, 14], [10, 38, 36]])
    chi2, p, dof, expected = stats.chi2_contingency(table, correction=False)
    test = _test(result, "youth club")
    assert test.chi2 == pytest.approx(chi2)
    assert test.p_value == pytest.approx(p)
    assert test.dof == dof == 2
    assert test.significant
    assert test.reliable
    # The adjusted residual (Haberman): (O - E) / sqrt(E (1 - row share) (1 - column share)).
    n, members = table.sum(), table[0].sum()
    sizes = table.sum(axis=0)
    adjusted = (table[0] - expected[0]) / np.sqrt(expected[0] * (1 - sizes / n) * (1 - members / n))
    shown = [
        _cell(result, v, "youth club").residual for v in ("Under 25", "25 to 64", "65 and over")
    ]
    assert shown == pytest.approx(adjusted.tolist())


def test_two_groups_residual_squared_is_the_chi_square() -> None:
    memberships, values = _answers(
        {"online": [(("parking",), 30), ((), 20)], "paper": [(("parking",), 18), ((), 32)]}
    )
    result = breakdown(memberships, values)
    test = _test(result, "parking")
    residual = _cell(result, "online", "parking").residual
    assert residual**2 == pytest.approx(test.chi2)
    assert _cell(result, "paper", "parking").residual == pytest.approx(-residual)


def test_no_flags_when_groups_raise_a_theme_alike() -> None:
    memberships, values = _answers(
        {
            "panel": [(("housing",), 25), ((), 25)],
            "not panel": [(("housing",), 26), ((), 24)],
        }
    )
    result = breakdown(memberships, values)
    assert result.flagged() == ()
    assert _test(result, "housing").significant is False
    assert all(
        c.residual is not None and abs(c.residual) < 1 for g in result.groups for c in g.cells
    )


def test_small_group_and_one_more_are_suppressed() -> None:
    memberships, values = _answers(
        {
            "Disabled": [(("access",), 6)],
            "Not disabled": [(("access",), 20), ((), 30)],
            "Prefer not to say": [(("access",), 5), ((), 7)],
        }
    )
    result = breakdown(memberships, values)
    sizes = {g.value: g.respondents for g in result.groups}
    # 6 is hidden; 12 as well, or 6 would be the published 68 less the rest.
    assert sizes == {"Disabled": None, "Not disabled": 50, "Prefer not to say": None}
    for value in ("Disabled", "Prefer not to say"):
        cell = _cell(result, value, "access")
        assert (cell.count, cell.share, cell.low, cell.residual, cell.flag) == (None,) * 5
    # Only one group is left to test, so there is no test.
    assert _test(result, "access").chi2 is None
    assert _test(result, "access").significant is None
    assert [g.tested for g in result.groups] == [False, True, False]


def test_small_cell_hides_a_second_cell_and_withholds_exact_test_figures() -> None:
    memberships, values = _answers(
        {
            "Ayr": [(("ferry",), 4), (("parking",), 46)],
            "Girvan": [(("ferry",), 30), (("parking",), 20)],
            "Troon": [(("ferry",), 25), (("parking",), 25)],
        }
    )
    result = breakdown(memberships, values)
    ferry = {v: _cell(result, v, "ferry").count for v in ("Ayr", "Girvan", "Troon")}
    assert ferry["Ayr"] is None
    # With the theme's total of 59 shown, a second cell must go: the smaller, Troon's 25.
    assert ferry == {"Ayr": None, "Girvan": 30, "Troon": None}
    # Each Ayr answer is in exactly one theme, so Ayr's row adds up to its size: the parking cell
    # would give the ferry one away, and goes too; then parking's column needs a second hidden cell.
    assert _cell(result, "Ayr", "parking").count is None
    assert sum(_cell(result, v, "parking").count is None for v in ("Ayr", "Girvan", "Troon")) >= 2
    test = _test(result, "ferry")
    assert test.chi2 is None
    assert test.p_value is None
    assert test.significant is True
    assert test.dof == 2
    assert _cell(result, "Girvan", "ferry").residual is None
    assert _cell(result, "Girvan", "ferry").flag == OVER  # direction only


def test_nothing_shown_can_reveal_a_hidden_number() -> None:
    rng = random.Random(4)  # noqa: S311 - repeatable test tables, not secrets
    for _ in range(60):
        n_groups = rng.randint(1, 6)
        n_themes = rng.randint(1, 5)
        single = rng.random() < 0.4
        memberships = []
        values = []
        for _ in range(rng.randint(0, 160)):
            if single:
                memberships.append((f"t{rng.randrange(n_themes)}",))
            else:
                memberships.append(tuple(f"t{j}" for j in range(n_themes) if rng.random() < 0.3))
            values.append(None if rng.random() < 0.1 else f"g{int(rng.random() ** 2 * n_groups)}")
        result = breakdown(memberships, values, groups=[f"g{i}" for i in range(n_groups)])
        json.dumps(result.to_json(), allow_nan=False)
        sizes = [g.respondents for g in result.groups]
        if len(sizes) > 1:  # one group is the whole breakdown: its size is the total
            assert sum(s is None for s in sizes) != 1
        assert not any(s is not None and 0 < s < SUPPRESS_BELOW for s in sizes)
        for j, theme in enumerate(result.themes):
            column = [g.cells[j] for g in result.groups]
            hidden = [c.count is None for c in column]
            populated = [g for g in result.groups if g.respondents != 0]
            if len(populated) > 1:
                assert sum(hidden) != 1, (theme, column)
            assert not any(c.count is not None and 0 < c.count < SUPPRESS_BELOW for c in column)
            test = _test(result, theme)
            tested_hidden = any(
                c.count is None for g, c in zip(result.groups, column, strict=False) if g.tested
            )
            if tested_hidden:
                assert test.chi2 is None
                assert test.p_value is None
                assert all(c.residual is None for c in column)
        if single:
            for group in result.groups:
                if group.respondents and len(result.themes) > 1:
                    assert sum(c.count is None for c in group.cells) != 1


def test_not_answered_is_its_own_untested_group_and_empty_values_count_as_not_answered() -> None:
    memberships, values = _answers(
        {
            "online": [(("bins",), 20), ((), 20)],
            "paper": [(("bins",), 10), ((), 30)],
            None: [(("bins",), 12), ((), 3)],
            "": [((), 10)],
        }
    )
    result = breakdown(memberships, values, attribute="channel")
    assert [g.value for g in result.groups] == ["online", "paper", None]
    not_answered = result.groups[-1]
    assert not_answered.respondents == 25
    assert not not_answered.tested
    assert not_answered.cells[0].count == 12
    assert not_answered.cells[0].flag is None
    assert _test(result, "bins").dof == 1  # online against paper only


def test_groups_nobody_chose_appear_with_zero_and_no_share() -> None:
    memberships, values = _answers({"Gaelic": [(("signs",), 12), ((), 10)]})
    result = breakdown(memberships, values, groups=["English", "Gaelic", "Scots"])
    assert [(g.value, g.respondents) for g in result.groups] == [
        ("English", 0),
        ("Gaelic", 22),
        ("Scots", 0),
    ]
    empty = _cell(result, "Scots", "signs")
    assert (empty.count, empty.share, empty.low, empty.flag) == (0, None, None, None)
    assert _test(result, "signs").chi2 is None  # one group with people: nothing to compare


@pytest.mark.parametrize(
    ("memberships", "values"),
    [
        ([], []),
        ([("a",)], ["x"]),
        ([(), ()], ["x", None]),
        ([("a",)] * 12 + [("a",)] * 15, ["x"] * 12 + ["y"] * 15),  # everyone raised it
        ([()] * 12 + [()] * 15, ["x"] * 12 + ["y"] * 15),  # no themes at all
    ],
)
def test_tiny_and_degenerate_tables_give_no_test_and_no_warning(memberships, values) -> None:
    result = breakdown(memberships, values)
    assert result.respondents == len(values)
    for test in result.tests:
        assert test.chi2 is None
        assert test.p_value is None
        assert test.significant is None
    assert result.flagged() == ()
    json.dumps(result.to_json(), allow_nan=False)


def test_themes_argument_fixes_which_themes_and_their_order() -> None:
    memberships, values = _answers({"x": [(("a", "b"), 15), (("c",), 12)]})
    result = breakdown(memberships, values, themes=["c", "a", "unused"])
    assert result.themes == ("c", "a", "unused")
    assert [c.count for c in result.groups[0].cells] == [12, 15, 0]


def test_several_attributes_at_once() -> None:
    memberships, locality = _answers({"north": [(("a",), 15)], "south": [(("b",), 15)]})
    channel = ["online"] * 20 + ["paper"] * 10
    results = breakdowns(
        memberships,
        {"locality": locality, "channel": channel},
        groups={"channel": ["paper", "online", "phone"]},
    )
    assert [r.attribute for r in results] == ["locality", "channel"]
    assert [g.value for g in results[1].groups] == ["paper", "online", "phone"]
    assert results[0].groups[0].cells[0].flag == OVER  # all of north raised a, none of south


def test_one_group_value_per_answer_is_required() -> None:
    with pytest.raises(AnalysisError, match="3 answers, 2 groups"):
        breakdown([("a",), ("b",), ()], ["x", "y"])


def test_size_suppression_and_wilson_interval() -> None:
    assert suppress_sizes([40, 5, 12, 0]) == [False, True, True, False]
    assert suppress_sizes([40, 5, 3, 0]) == [False, True, True, False]
    assert suppress_sizes([40, 12, 0]) == [False, False, False]
    low, high = wilson(5, 10)
    assert (low, high) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson(0, 20)[0] == 0.0
    assert wilson(20, 20)[1] == 1.0
