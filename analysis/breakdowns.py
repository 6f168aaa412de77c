"""Themes by respondent group: who raised what, where a group stands out, and nothing disclosive.

For one question and one respondent attribute (an equalities answer, locality, channel, panel
membership) each group gets its number of respondents and, per theme, how many raised it and
what share of the group that is, with a 95% Wilson interval. An answer may belong to several
themes, so each theme is tested on its own: a chi-square test of independence of "raised the
theme or not" against the groups, with adjusted standardised residuals per group flagging a group
as over- or under-represented when |residual| > 1.96.

Disclosure control follows the project's equalities rule (groups of 1 to 9 hidden, zeros shown):
groups and cells under 10 respondents lose their count, share and flag, and secondary
suppression hides one more where a single hidden number could be worked out from what is shown.
The published totals are the number of respondents and each theme's size, so a theme's column
must never have exactly one hidden cell, nor must a group's sizes have exactly one hidden group;
a group's row adds up to its size only when each of its respondents is in exactly one theme, and
then it is protected too. Residuals and the chi-square statistic are functions of every count in
the test, hidden ones included, so for a theme with a hidden cell among the tested groups only
the flags and whether the test is significant are given, never the exact figures.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from analysis.errors import AnalysisError
from analysis.stats import wilson

# Groups and cells of 1 to SUPPRESS_BELOW - 1 respondents are hidden (as surveys.equalities).
SUPPRESS_BELOW = 10
# The two-sided 5% point of the normal: for Wilson intervals and for flags, an |adjusted
# residual| above it marking a group as over- or under-represented.
Z95 = 1.96
FLAG_AT = Z95
ALPHA = 0.05
# The chi-square approximation is trusted when every expected count is at least this.
MIN_EXPECTED = 5.0
OVER = "over"
UNDER = "under"


@dataclass(frozen=True)
class Cell:
    """One theme in one group. Count, share, interval and flag are None when suppressed."""

    theme: str
    count: int | None
    share: float | None  # count / group respondents; None also for a group of nobody
    low: float | None  # 95% Wilson interval of the share
    high: float | None
    residual: float | None  # adjusted standardised residual; None when untested or withheld
    flag: str | None  # OVER, UNDER or None

    @property
    def suppressed(self) -> bool:
        return self.count is None

    def to_json(self) -> dict[str, Any]:
        return {
            "theme": self.theme,
            "count": self.count,
            "share": self.share,
            "low": self.low,
            "high": self.high,
            "residual": self.residual,
            "flag": self.flag,
        }


@dataclass(frozen=True)
class Group:
    """One value of the attribute (None: not answered), its respondents and one cell per theme."""

    value: str | None
    respondents: int | None  # None when suppressed
    tested: bool  # whether the group is in the chi-square tests
    cells: tuple[Cell, ...]

    @property
    def suppressed(self) -> bool:
        return self.respondents is None

    def to_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "respondents": self.respondents,
            "tested": self.tested,
            "cells": [cell.to_json() for cell in self.cells],
        }


@dataclass(frozen=True)
class ThemeTest:
    """Whether raising a theme depends on the group, over the tested groups.

    chi2, p_value and the residuals are None when the test cannot run (fewer than two tested
    groups, or everyone or no one raised the theme) or would reveal a hidden count; then
    `significant` still says whether p < ALPHA when the test ran.
    """

    theme: str
    total: int | None  # respondents in the breakdown who raised the theme; None when 1 to 9
    chi2: float | None
    dof: int | None
    p_value: float | None
    significant: bool | None
    reliable: bool | None  # every expected count at least MIN_EXPECTED

    def to_json(self) -> dict[str, Any]:
        return {
            "theme": self.theme,
            "total": self.total,
            "chi2": self.chi2,
            "dof": self.dof,
            "p_value": self.p_value,
            "significant": self.significant,
            "reliable": self.reliable,
        }


@dataclass(frozen=True)
class Breakdown:
    """Themes of one question by one respondent attribute, safe to show as it stands."""

    attribute: str
    respondents: int
    themes: tuple[str, ...]
    groups: tuple[Group, ...]
    tests: tuple[ThemeTest, ...]

    def flagged(self) -> tuple[tuple[str | None, str, str], ...]:
        """(group value, theme, OVER or UNDER) for every flagged cell, for a findings summary."""
        return tuple(
            (group.value, cell.theme, cell.flag)
            for group in self.groups
            for cell in group.cells
            if cell.flag is not None
        )

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types only, so the result can be stored in a JSON column as is."""
        return {
            "attribute": self.attribute,
            "respondents": self.respondents,
            "themes": list(self.themes),
            "groups": [group.to_json() for group in self.groups],
            "tests": [test.to_json() for test in self.tests],
        }


def _small(n: int) -> bool:
    return 0 < n < SUPPRESS_BELOW


def suppress_sizes(sizes: Sequence[int]) -> list[bool]:
    """Which of `sizes` (adding up to a published total) to hide: 1 to 9, and one more when a
    single hidden size could be worked out from the total (secondary suppression)."""
    hidden = [_small(n) for n in sizes]
    if sum(hidden) == 1:
        _hide_one_more(hidden, sizes)
    return hidden


def _hide_one_more(
    hidden: list[bool], counts: Sequence[int], eligible: Sequence[bool] = ()
) -> bool:
    """Hide the smallest shown count (a non-zero one if there is one); False if none is left."""
    allowed = list(eligible) or [True] * len(counts)
    shown = [i for i, h in enumerate(hidden) if not h and allowed[i]]
    if not shown:
        return False
    nonzero = [i for i in shown if counts[i] > 0]
    pick = min(nonzero or shown, key=lambda i: (counts[i], i))
    hidden[pick] = True
    return True


def _suppress_cells(
    counts: np.ndarray,
    group_hidden: Sequence[bool],
    sizes: Sequence[int],
    partition: Sequence[bool],
) -> np.ndarray:
    """Hidden cells of the group × theme table: primary, then secondary until nothing is derivable.

    Columns add up to each theme's published size; a row adds up to its group's size only when
    the group's respondents are each in exactly one theme (`partition`).
    """
    n_groups, n_themes = counts.shape
    hidden = (counts > 0) & (counts < SUPPRESS_BELOW)
    hidden[np.asarray(group_hidden, dtype=bool)] = True
    has_people = [n > 0 for n in sizes]
    changed = True
    while changed:
        changed = False
        for t in range(n_themes):
            column = hidden[:, t].tolist()
            if sum(column) == 1 and _hide_one_more(column, counts[:, t].tolist(), has_people):
                hidden[:, t] = column
                changed = True
        for g in range(n_groups):
            row = hidden[g].tolist()
            if partition[g] and sum(row) == 1 and _hide_one_more(row, counts[g].tolist()):
                hidden[g] = row
                changed = True
    return hidden


@dataclass(frozen=True)
class _Test:
    chi2: float
    dof: int
    p_value: float
    reliable: bool
    residuals: np.ndarray


def _chi_square(members: np.ndarray, sizes: np.ndarray) -> _Test | None:
    """Chi-square test of a 2 × G table (raised the theme or not, by group) and the adjusted
    standardised residuals of the "raised" row; None when the table cannot be tested."""
    n = int(sizes.sum())
    total = int(members.sum())
    if sizes.size < 2 or total in (0, n):
        return None
    expected = sizes * total / n
    expected_not = sizes - expected
    chi2 = float(
        (((members - expected) ** 2) / expected).sum()
        + ((((sizes - members) - expected_not) ** 2) / expected_not).sum()
    )
    dof = int(sizes.size - 1)
    spread = np.sqrt(expected * (1 - sizes / n) * (1 - total / n))
    residuals = (members - expected) / spread
    reliable = bool(min(expected.min(), expected_not.min()) >= MIN_EXPECTED)
    return _Test(chi2, dof, float(stats.chi2.sf(chi2, dof)), reliable, residuals)


def _flag(residual: float) -> str | None:
    if residual > FLAG_AT:
        return OVER
    if residual < -FLAG_AT:
        return UNDER
    return None


def _order(values: Sequence[str | None], groups: Sequence[str] | None) -> list[str | None]:
    """The given groups in their order (empty ones too), other values sorted, not answered last."""
    ordered: list[str | None] = list(dict.fromkeys(groups or ()))
    seen = {v for v in values if v is not None}
    ordered += sorted(seen - set(ordered))
    if any(v is None for v in values):
        ordered.append(None)
    return ordered


def breakdown(
    memberships: Sequence[Collection[str]],
    values: Sequence[str | None],
    *,
    themes: Sequence[str] | None = None,
    groups: Sequence[str] | None = None,
    attribute: str = "",
) -> Breakdown:
    """Themes by one attribute: `memberships[i]` are answer i's theme ids, `values[i]` its
    respondent's group (None or "" when not answered).

    `themes` fixes which themes appear and their order (default: by size, then id); `groups`
    lists the attribute's options so that groups nobody chose still appear, in that order.
    """
    if len(memberships) != len(values):
        raise AnalysisError(
            f"Each answer needs one group: {len(memberships)} answers, {len(values)} groups."
        )
    cleaned = [value if value else None for value in values]
    member_sets = [set(m) for m in memberships]
    if themes is None:
        sizes_by_theme: dict[str, int] = {}
        for member_set in member_sets:
            for theme in member_set:
                sizes_by_theme[theme] = sizes_by_theme.get(theme, 0) + 1
        themes = sorted(sizes_by_theme, key=lambda t: (-sizes_by_theme[t], t))
    theme_list = list(dict.fromkeys(themes))
    theme_index = {theme: j for j, theme in enumerate(theme_list)}
    order = _order(cleaned, groups)
    group_index = {value: g for g, value in enumerate(order)}

    counts = np.zeros((len(order), len(theme_list)), dtype=np.int64)
    sizes = np.zeros(len(order), dtype=np.int64)
    partition = [True] * len(order)
    for member_set, value in zip(member_sets, cleaned, strict=True):
        g = group_index[value]
        sizes[g] += 1
        found = [theme_index[t] for t in member_set if t in theme_index]
        counts[g, found] += 1
        partition[g] = partition[g] and len(found) == 1

    group_hidden = suppress_sizes(sizes.tolist())
    hidden = _suppress_cells(counts, group_hidden, sizes.tolist(), partition)
    tested = np.array(
        [v is not None and not group_hidden[g] and sizes[g] > 0 for g, v in enumerate(order)]
    )

    tests: list[ThemeTest] = []
    residuals = np.full(counts.shape, np.nan)
    withheld = np.zeros(len(theme_list), dtype=bool)
    for j, theme in enumerate(theme_list):
        total = int(counts[:, j].sum())
        result = _chi_square(counts[tested, j], sizes[tested])
        if result is None:
            shown_total = None if _small(total) else total
            tests.append(ThemeTest(theme, shown_total, None, None, None, None, None))
            continue
        residuals[tested, j] = result.residuals
        withheld[j] = bool(hidden[tested, j].any())
        exact = not withheld[j]
        tests.append(
            ThemeTest(
                theme=theme,
                total=None if _small(total) else total,
                chi2=result.chi2 if exact else None,
                dof=result.dof,
                p_value=result.p_value if exact else None,
                significant=result.p_value < ALPHA,
                reliable=result.reliable,
            )
        )

    built: list[Group] = []
    for g, value in enumerate(order):
        n = int(sizes[g])
        cells = []
        for j, theme in enumerate(theme_list):
            if hidden[g, j]:
                cells.append(Cell(theme, None, None, None, None, None, None))
                continue
            count = int(counts[g, j])
            low, high = wilson(count, n) if n else (None, None)
            residual = float(residuals[g, j]) if not np.isnan(residuals[g, j]) else None
            flag = _flag(residual) if residual is not None else None
            cells.append(
                Cell(
                    theme=theme,
                    count=count,
                    share=count / n if n else None,
                    low=low,
                    high=high,
                    residual=None if withheld[j] else residual,
                    flag=flag,
                )
            )
        built.append(Group(value, None if group_hidden[g] else n, bool(tested[g]), tuple(cells)))

    return Breakdown(attribute, len(cleaned), tuple(theme_list), tuple(built), tuple(tests))


def breakdowns(
    memberships: Sequence[Collection[str]],
    attributes: Mapping[str, Sequence[str | None]],
    *,
    themes: Sequence[str] | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
) -> tuple[Breakdown, ...]:
    """One breakdown per attribute (name → one value per answer), in the mapping's order."""
    options = groups or {}
    return tuple(
        breakdown(memberships, values, themes=themes, groups=options.get(name), attribute=name)
        for name, values in attributes.items()
    )
