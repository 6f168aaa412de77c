"""A report request and, once the worker has built it, its files."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engage.findings.models import RunStatus
from surveys.base import Base, Timestamped


class ReportKind(enum.StrEnum):
    FINDINGS = "findings"  # one consultation's findings
    BOARD = "board"  # the priority-setting report for the CPP Board


# Each file a report is built as: (column, file extension, media type, what to call it).
FORMATS = {
    "html": ("html", "text/html; charset=utf-8", "Web page"),
    "pdf": ("pdf", "application/pdf", "PDF (tagged, for screen readers)"),
    "xlsx": (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Spreadsheet (XLSX)",
    ),
    "csv": ("zip", "application/zip", "Data as CSV files (ZIP)"),
}


class Report(Timestamped, Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300), default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.QUEUED)
    progress: Mapped[int] = mapped_column(default=0)  # percent
    message: Mapped[str] = mapped_column(Text, default="Waiting for a worker")
    error: Mapped[str | None] = mapped_column(Text)
    task_id: Mapped[str | None] = mapped_column(String(64))
    dispatched_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    html: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    xlsx: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    csv: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.SUCCEEDED, RunStatus.FAILED)
