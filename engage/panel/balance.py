"""The panel's make-up against the partnership's population figures, with the gaps.

Officers see real counts here (they know who is on the panel); the flag is the findings' rule
(``surveys.population.flag``), so "under-represented" means the same on both pages. The target
for a group is its share of the population times the number of active members who gave an
answer to that question.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from surveys.equalities import PREFER_NOT
from surveys.population import flag


@dataclass(frozen=True)
class BalanceRow:
    value: str
    label: str
    members: int
    share: float | None
    population_share: float | None
    target: int | None
    flag: str | None

    @property
    def gap(self) -> int | None:
        """Members still to recruit to reach the target (0 when met)."""
        return None if self.target is None else max(0, self.target - self.members)

    @property
    def flag_words(self) -> str:
        return {"under": "Under-represented", "over": "Over-represented"}.get(self.flag or "", "")


@dataclass(frozen=True)
class BalanceTable:
    key: str
    title: str
    rows: list[BalanceRow]
    answered: int
    not_answered: int
    source: str

    @property
    def has_figures(self) -> bool:
        return any(r.population_share is not None for r in self.rows)

    @property
    def gaps(self) -> list[BalanceRow]:
        return [r for r in self.rows if r.flag == "under"]


def table(
    question: Any,
    profiles: Sequence[Mapping[str, Any]],
    population: Mapping[str, int],
    source: str = "",
) -> BalanceTable:
    counts: dict[str, int] = {}
    for profile in profiles:
        value = profile.get(question.key) or ""
        counts[value] = counts.get(value, 0) + 1
    groups = [o for o in question.options if o["value"] != PREFER_NOT]
    base = sum(counts.get(o["value"], 0) for o in groups)
    people = sum(population.get(o["value"], 0) for o in groups)
    rows = []
    for option in question.options:
        n = counts.get(option["value"], 0)
        grouped = option["value"] != PREFER_NOT
        known = grouped and option["value"] in population and people > 0
        pop_share = population[option["value"]] / people if known else None
        rows.append(
            BalanceRow(
                value=option["value"],
                label=option["label"],
                members=n,
                share=n / base if grouped and base else None,
                population_share=pop_share,
                target=round(pop_share * base) if pop_share is not None else None,
                flag=flag(n, base, pop_share) if pop_share is not None else None,
            )
        )
    return BalanceTable(
        key=question.key,
        title=question.title,
        rows=rows,
        answered=base,
        not_answered=counts.get("", 0),
        source=source,
    )


def balance(
    block: Sequence[Any],
    profiles: Sequence[Mapping[str, Any]],
    population: Mapping[str, Mapping[str, int]],
    sources: Mapping[str, str],
) -> list[BalanceTable]:
    return [table(q, profiles, population.get(q.key, {}), sources.get(q.key, "")) for q in block]


SMALL = 10
FEWER_THAN = "fewer than 10"


@dataclass(frozen=True)
class CrossTable:
    """Active members by locality (rows) and one profile question (columns).

    Officers see every count; with ``suppressed`` a count from 1 to 9 reads "fewer than 10",
    for anyone who may not see who is on the panel."""

    title: str
    columns: list[str]
    rows: list[tuple[str, list[int | str]]]
    totals: list[int | str]
    suppressed: bool


def cross_table(
    block: Sequence[Any],
    profiles: Sequence[Mapping[str, Any]],
    key: str,
    *,
    suppressed: bool = False,
) -> CrossTable | None:
    by_key = {q.key: q for q in block}
    if key == "locality" or key not in by_key or "locality" not in by_key:
        return None
    places = by_key["locality"].options
    question = by_key[key]
    counts: dict[tuple[str, str], int] = {}
    for profile in profiles:
        cell = (profile.get("locality") or "", profile.get(key) or "")
        counts[cell] = counts.get(cell, 0) + 1

    def shown(n: int) -> int | str:
        return FEWER_THAN if suppressed and 0 < n < SMALL else n

    columns = [o["value"] for o in question.options]
    rows = [
        (place["label"], [shown(counts.get((place["value"], c), 0)) for c in columns])
        for place in places
    ]
    totals = [shown(sum(counts.get((p["value"], c), 0) for p in places)) for c in columns]
    return CrossTable(
        title=question.title,
        columns=[o["label"] for o in question.options],
        rows=rows,
        totals=totals,
        suppressed=suppressed,
    )
