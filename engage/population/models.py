"""How many people live in each equalities group of the partnership's area."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surveys.base import Base, Timestamped


class PopulationFigure(Timestamped, Base):
    """People in one group (``value``) of one equalities question (``attribute``)."""

    __tablename__ = "population_figures"
    __table_args__ = (UniqueConstraint("attribute", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attribute: Mapped[str] = mapped_column(String(40))  # an equalities question key, e.g. age_band
    value: Mapped[str] = mapped_column(String(100))
    people: Mapped[int]
    source: Mapped[str] = mapped_column(
        Text, default=""
    )  # e.g. "Scotland's Census 2022, table UV102"
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
