"""Reading and replacing the population figures. Functions take a Session and never commit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engage.population.models import PopulationFigure


@dataclass
class Figures:
    """People by group value, per question key, with where each question's figures came from."""

    people: dict[str, dict[str, int]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def of(self, attribute: str) -> dict[str, int]:
        return self.people.get(attribute, {})


def load(session: Session) -> Figures:
    figures = Figures()
    for row in session.scalars(select(PopulationFigure).order_by(PopulationFigure.id)):
        figures.people.setdefault(row.attribute, {})[row.value] = row.people
        if row.source:
            figures.sources[row.attribute] = row.source
    return figures


def replace(
    session: Session,
    attribute: str,
    people: Mapping[str, int],
    *,
    source: str = "",
    user_id: int | None = None,
) -> None:
    """Make `people` the whole of `attribute`'s figures (groups left out have none)."""
    session.execute(delete(PopulationFigure).where(PopulationFigure.attribute == attribute))
    session.add_all(
        PopulationFigure(
            attribute=attribute, value=value, people=n, source=source, updated_by_id=user_id
        )
        for value, n in people.items()
    )
    session.flush()


def merge(
    session: Session, rows: Iterable[tuple[str, str, int]], *, user_id: int | None = None
) -> int:
    """Add or update (attribute, value, people) rows, keeping each question's source."""
    existing = {
        (row.attribute, row.value): row for row in session.scalars(select(PopulationFigure))
    }
    sources = {attribute: row.source for (attribute, _), row in existing.items()}
    count = 0
    for attribute, value, n in rows:
        row = existing.get((attribute, value))
        if row is None:
            row = PopulationFigure(
                attribute=attribute, value=value, source=sources.get(attribute, "")
            )
            session.add(row)
            existing[(attribute, value)] = row
        row.people = n
        row.updated_by_id = user_id
        count += 1
    session.flush()
    return count
