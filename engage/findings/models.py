"""Analysis runs and the themes they found: background work is a row the pages can show."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.base import Base, Timestamped


class ThemeKind(enum.StrEnum):
    FOUND = "found"  # found freely in the answers
    CODEBOOK = "codebook"  # a theme of the codebook the run mapped answers onto
    PROPOSED = "proposed"  # a new theme among answers that fit no codebook theme


class RunStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class AnalysisRun(Timestamped, Base):
    __tablename__ = "analysis_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.QUEUED)
    trigger: Mapped[str] = mapped_column(String(20))  # "officer" or "closing"
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    progress: Mapped[int] = mapped_column(default=0)  # percent
    message: Mapped[str] = mapped_column(Text, default="Waiting for a worker")
    error: Mapped[str | None] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    task_id: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    # Set when the task was handed to the broker; a queued run without it is sent again later.
    dispatched_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    questions: Mapped[list[QuestionAnalysis]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="QuestionAnalysis.id"
    )

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.SUCCEEDED, RunStatus.FAILED)


class QuestionAnalysis(Base):
    """One free-text question's result within a run."""

    __tablename__ = "question_analyses"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_runs.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    answer_count: Mapped[int] = mapped_column(default=0)
    method: Mapped[str] = mapped_column(String(40), default="")
    # A question with too little text gets a note here instead of themes.
    note: Mapped[str | None] = mapped_column(Text)
    word_cloud_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    word_cloud_terms: Mapped[list[Any]] = mapped_column(default=list)
    # Answers with no substantive comment ("No", "N/A"), and answers no theme covers ("Other").
    no_comment: Mapped[int] = mapped_column(default=0)
    other: Mapped[int] = mapped_column(default=0)
    # Up to 3 answers quoted for each of those two groups.
    no_comment_quote_ids: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    other_quote_ids: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")

    run: Mapped[AnalysisRun] = relationship(back_populates="questions")
    themes: Mapped[list[Theme]] = relationship(
        back_populates="question_analysis", cascade="all, delete-orphan", order_by="Theme.position"
    )


class Theme(Base):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_analysis_id: Mapped[int] = mapped_column(
        ForeignKey("question_analyses.id", ondelete="CASCADE"), index=True
    )
    # The analysis's own id ("t1"), or in a codebook run the codebook theme's id.
    key: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(
        String(20), default=ThemeKind.FOUND, server_default=ThemeKind.FOUND.value
    )
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(200))
    terms: Mapped[list[Any]] = mapped_column(default=list)
    size: Mapped[int]
    share: Mapped[float]
    quote_answer_ids: Mapped[list[Any]] = mapped_column(default=list)
    low: Mapped[float] = mapped_column(default=0.0)  # 95% Wilson interval of the share
    high: Mapped[float] = mapped_column(default=0.0)
    # VADER tone of the theme's answers (mean, positive/negative/neutral shares, label).
    sentiment: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # A word cloud of the theme's own answers (personal details removed before drawing).
    word_cloud_png: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

    question_analysis: Mapped[QuestionAnalysis] = relationship(back_populates="themes")


class ThemeAssignment(Base):
    """An answer's membership of a theme; an answer may belong to several."""

    __tablename__ = "theme_assignments"

    theme_id: Mapped[int] = mapped_column(
        ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True
    )
    answer_id: Mapped[int] = mapped_column(
        ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    primary: Mapped[bool] = mapped_column(default=False)
