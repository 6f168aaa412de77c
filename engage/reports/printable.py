"""What a printed report leaves out: a breakdown or a who-took-part table with nothing to show
(nobody in a group, every group hidden, one group alone, every figure zero or hidden), and the
one plain line saying which were left out and why. The data files keep every table whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from surveys import equalities
from surveys.population import NOT_ANSWERED, GroupTable

# What the line of breakdowns left out calls each attribute (analysis.breakdowns' keys, which are
# the equalities block's fields for its questions).
ATTRIBUTE_NAMES = {
    "channel": "channel",
    "panel": "Residents' Panel membership",
    "locality": "area",
    "age_band": "age",
    "sex": "sex",
    "trans": "trans status",
    "disability": "disability",
    "ethnicity": "ethnic group",
    "sexual_orientation": "sexual orientation",
    "religion": "religion",
    "carer": "unpaid caring",
}
EQUALITIES_KEYS = tuple(q.key for q in equalities.QUESTIONS)

# Why a breakdown is left out of the report, in the words of its "Not shown" line.
NOBODY = "nobody said which group they were in"
ALL_SMALL = "no group had 10 or more people"
# Secondary suppression hides one more group where exactly one is small, so with two hidden
# groups one of them may have had 10 or more people.
SMALL_OR_PROTECTED = "every group had fewer than 10 people or was hidden to protect a smaller one"
ONE_SHOWN = "only one group could be shown"
ONE_GROUP = "everyone was in the same group"
ONE_GROUP_GIVEN = "everyone who answered was in the same group"
CELLS_HIDDEN = "every figure was under 10 or hidden to protect a smaller one"
CELLS_ZERO = "nobody in any group gave any of these answers"
ONE_WITH_FIGURES = "only one group had any figure large enough to show"


# A table by group with a column for each of more answers or themes than this is printed across
# the page, in the report's annex.
UPRIGHT_COLUMNS = 6


def wide(table: Any) -> bool:
    """Whether a table by group (a findings.AttributeBreakdown's table) goes to the annex."""
    return len(table.breakdown.themes) > UPRIGHT_COLUMNS


def _hidden_reason(hidden: int) -> str:
    return SMALL_OR_PROTECTED if hidden == 2 else ALL_SMALL


def left_out_because(b: Any) -> str | None:
    """Why a breakdown (analysis.breakdowns.Breakdown) has nothing to show, or None if it has:
    at least two groups (not counting people who gave no answer) must be shown to compare, and
    some figure in them other than a zero."""
    named = [g for g in b.groups if g.value is not None]
    with_people = [g for g in named if g.respondents is None or g.respondents > 0]
    shown = [g for g in with_people if g.respondents is not None]
    hidden = sum(1 for g in b.groups if g.respondents is None)
    if not with_people:
        return NOBODY
    if not shown:
        return _hidden_reason(hidden)
    if len(shown) == 1:
        if hidden:
            return ONE_SHOWN
        unanswered = any(g.value is None and g.respondents for g in b.groups)
        return ONE_GROUP_GIVEN if unanswered else ONE_GROUP
    cells = [c for g in shown for c in g.cells]
    if not any(c.count for c in cells):  # every cell hidden or zero: no figure to compare
        return CELLS_HIDDEN if any(c.count is None for c in cells) else CELLS_ZERO
    if sum(1 for g in shown if any(c.count for c in g.cells)) < 2:
        return ONE_WITH_FIGURES  # one group's figures, and nothing to compare them with
    return None


def printable(tables: Iterable[Any]) -> tuple[list[Any], list[tuple[str, str]]]:
    """The tables by group worth printing, without the groups nobody was in, and
    (attribute key, reason) for each one left out.

    Dropping a group of nobody gives nothing away: its zeros are shown anyway, and the hidden
    cells stay hidden. The data files keep every table whole.
    """
    kept: list[Any] = []
    left_out: list[tuple[str, str]] = []
    for table in tables:
        b = table.breakdown
        reason = left_out_because(b)
        if reason is not None:
            left_out.append((b.attribute, reason))
            continue
        groups = tuple(g for g in b.groups if g.respondents != 0)
        kept.append(replace(table, breakdown=replace(b, groups=groups)))
    return kept, left_out


def printable_profile(
    tables: Iterable[GroupTable],
) -> tuple[list[GroupTable], list[tuple[str, str]]]:
    """Who took part, question by question, without the groups nobody was in (unless they are
    under-represented: nobody came from a group the area has many of) and without the questions
    where no group can be shown; (key, reason) for each question left out."""
    kept: list[GroupTable] = []
    left_out: list[tuple[str, str]] = []
    for table in tables:
        named = [r for r in table.rows if r.value != NOT_ANSWERED]
        if not any(r.count for r in named) and not any(r.flag for r in table.rows):
            if any(r.count is None for r in named):
                hidden = sum(1 for r in table.rows if r.count is None)
                left_out.append((table.key, _hidden_reason(hidden)))
            else:
                left_out.append((table.key, NOBODY))
            continue
        kept.append(replace(table, rows=[r for r in table.rows if r.count != 0 or r.flag]))
    return kept, left_out


def _and(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _name(key: str) -> str:
    return ATTRIBUTE_NAMES.get(key, key.replace("_", " "))


def not_shown(left_out: Sequence[tuple[str, str]], *, breakdowns: bool = True) -> str | None:
    """One plain sentence naming what was left out and why, e.g. "Not shown: breakdowns by age
    and channel, because no group had 10 or more people." None when nothing was.

    For breakdowns, all the equalities questions left out for one reason are named once, as
    "the equalities questions"; ``breakdowns=False`` names who-took-part tables instead."""
    if not left_out:
        return None
    by_reason: dict[str, list[str]] = {}
    for key, reason in left_out:
        keys = by_reason.setdefault(reason, [])
        if key not in keys:
            keys.append(key)
    parts = []
    for reason, keys in by_reason.items():
        every_question = breakdowns and set(EQUALITIES_KEYS) <= set(keys)
        names: list[str] = []
        for key in keys:
            if not (every_question and key in EQUALITIES_KEYS):
                names.append(_name(key))
            elif key == EQUALITIES_KEYS[0]:
                names.append("the equalities questions")
        parts.append(f"{_and(names)}, because {reason}")
    if breakdowns:
        return "Not shown: breakdowns by " + "; by ".join(parts) + "."
    return "Not shown: the tables for " + "; for ".join(parts) + "."
