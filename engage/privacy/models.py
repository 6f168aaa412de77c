"""A consultation's retention schedule: how long its responses are kept as given, what happens
then, and when that was done. A consultation without a row follows the partnership's default
(``ENGAGE_RETENTION_DAYS`` and ``ENGAGE_RETENTION_ACTION``)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from surveys.base import Base, utcnow


class RetentionAction(enum.StrEnum):
    ANONYMISE = "anonymise"
    DELETE = "delete"


class RetentionSchedule(Base):
    __tablename__ = "retention_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), unique=True
    )
    days: Mapped[int | None]  # None: the partnership's default
    action: Mapped[str | None] = mapped_column(String(20))  # None: the partnership's default
    applied_at: Mapped[datetime | None]
    applied_action: Mapped[str | None] = mapped_column(String(20))
    applied_counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
