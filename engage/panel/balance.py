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
