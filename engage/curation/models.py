"""A question's curated theme set, the audit log of officers' edits, strategic priorities and
what the Joint Officers' Group records against them.

The curated set is independent of analysis runs: a run's themes are copied into it once, and
later runs map new answers onto it (see ``engage.curation.services``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.base import Base, Timestamped, utcnow


class CuratedSet(Timestamped, Base):
    """One free-text question's curated themes, and the run the curation started from."""

    __tablename__ = "curated_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), unique=True
    )
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    started_from_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("analysis_runs.id", ondelete="SET NULL")
    )
    # The machine's first assignment: {answer id: [theme keys of the run it started from]}.
    baseline: Mapped[dict[str, Any]] = mapped_column(default=dict)
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    themes: Mapped[list[CuratedTheme]] = relationship(
        back_populates="curated_set",
        cascade="all, delete-orphan",
        order_by="CuratedTheme.position",
    )


class CuratedTheme(Base):
    __tablename__ = "curated_themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(
        ForeignKey("curated_sets.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    position: Mapped[int] = mapped_column(default=0)
    # Keys of the run themes this theme came from (a merge keeps both sides' keys).
    origins: Mapped[list[Any]] = mapped_column(default=list)
    priority_id: Mapped[int | None] = mapped_column(
        ForeignKey("strategic_priorities.id", ondelete="SET NULL"), index=True
    )
    # Measured from the theme's own answers when the set is approved (analysis.evidence):
    # {"terms", "low", "high", "sentiment", "typical": [answer ids]}; empty until then.
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    # Chosen for "We asked, you said, we did".
    published: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    curated_set: Mapped[CuratedSet] = relationship(back_populates="themes")
    assignments: Mapped[list[CuratedAssignment]] = relationship(
        back_populates="theme", cascade="all, delete-orphan", order_by="CuratedAssignment.answer_id"
    )


class CuratedAssignment(Base):
    """An answer in a curated theme; ``pinned`` when an officer moved it there by hand."""

    __tablename__ = "curated_assignments"

    theme_id: Mapped[int] = mapped_column(
        ForeignKey("curated_themes.id", ondelete="CASCADE"), primary_key=True
    )
    answer_id: Mapped[int] = mapped_column(
        ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    pinned: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Marked by an officer as a quote to publish (always shown with personal details removed).
    quote: Mapped[bool] = mapped_column(default=False, server_default=false())

    theme: Mapped[CuratedTheme] = relationship(back_populates="assignments")


class CurationEvent(Base):
    """The audit log: who changed what, and when."""

    __tablename__ = "curation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    priority_id: Mapped[int | None] = mapped_column(
        ForeignKey("strategic_priorities.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class StrategicPriority(Timestamped, Base):
    __tablename__ = "strategic_priorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Example answers, one per item, to help the analysis recognise the priority.
    examples: Mapped[list[Any]] = mapped_column(default=list)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True, server_default=true())


class PriorityNote(Base):
    """A JOG member's comment on a priority, or a recommendation to the CPP Board (the latest
    recommendation is the current one; earlier ones stay as history)."""

    __tablename__ = "priority_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    priority_id: Mapped[int] = mapped_column(
        ForeignKey("strategic_priorities.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # "comment" or "recommendation"
    text: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
