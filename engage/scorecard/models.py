"""How many staff each partner nominated for a scorecard-style survey, for its response rates."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surveys.base import Base


class Nomination(Base):
    """One partner's nominated staff for one year's survey.

    The partner is the option value of the survey's organisation question ("Which partner
    organisation do you work for?"), so the count lines up with the answers it is divided into.
    """

    __tablename__ = "scorecard_nominations"
    __table_args__ = (UniqueConstraint("consultation_id", "option_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    option_value: Mapped[str] = mapped_column(String(40))
    nominated: Mapped[int] = mapped_column(default=0)
