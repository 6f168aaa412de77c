"""Report requests: creating them, handing them to the worker, and the worker's writes.

Functions take a Session and never commit; the view or task that calls them owns the transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from celery import Celery
from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.findings.models import RunStatus
from engage.reports.models import Report, ReportKind
from surveys.base import utcnow
from surveys.models import Consultation

log = logging.getLogger(__name__)

BUILD_REPORT_TASK = "worker.reports.build_report"


def request_findings_report(
    session: Session, consultation: Consultation, *, requested_by_id: int | None
) -> Report:
    report = Report(
        kind=ReportKind.FINDINGS,
        consultation_id=consultation.id,
        title=f"Findings: {consultation.title}",
        requested_by_id=requested_by_id,
    )
    session.add(report)
    session.flush()
    return report


BOARD_TITLE = "Priority-setting report for the CPP Board"


def request_board_report(session: Session, *, requested_by_id: int | None) -> Report:
    report = Report(kind=ReportKind.BOARD, title=BOARD_TITLE, requested_by_id=requested_by_id)
    session.add(report)
    session.flush()
    return report


def board_reports(session: Session, limit: int = 10) -> list[Report]:
    stmt = (
        select(Report)
        .where(Report.kind == ReportKind.BOARD)
        .order_by(Report.created_at.desc(), Report.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def dispatch(session: Session, celery: Celery, reports: Sequence[Report]) -> int:
    """Hand committed reports to the broker; one it refuses stays queued for the next tick."""
    sent = 0
    for report in reports:
        try:
            result = celery.send_task(BUILD_REPORT_TASK, args=[report.id], retry=False)
        except Exception as exc:  # noqa: BLE001 - any broker failure leaves it for the tick
            log.warning("broker refused report %s: %s", report.id, exc)
            continue
        report.dispatched_at = utcnow()
        report.task_id = result.id
        sent += 1
    session.flush()
    return sent


def undispatched(session: Session) -> list[Report]:
    """Queued reports no dispatcher has sent; rows another dispatcher holds are left to it."""
    stmt = (
        select(Report)
        .where(Report.status == RunStatus.QUEUED, Report.dispatched_at.is_(None))
        .order_by(Report.id)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite has one writer anyway
    )
    return list(session.scalars(stmt))


def for_consultation(session: Session, consultation_id: int, limit: int = 10) -> list[Report]:
    stmt = (
        select(Report)
        .where(Report.consultation_id == consultation_id)
        .order_by(Report.created_at.desc(), Report.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def start(session: Session, report_id: int, *, task_id: str | None) -> Report | None:
    """Mark the report as being built; None if it is gone or already built."""
    report = session.get(Report, report_id)
    if report is None or report.status == RunStatus.SUCCEEDED:
        return None
    report.status = RunStatus.RUNNING
    report.task_id = task_id or report.task_id
    report.started_at = utcnow()
    report.error = None
    report.progress = 5
    report.message = "Gathering the findings"
    session.flush()
    return report


def progress(session: Session, report_id: int, percent: int, message: str) -> None:
    report = session.get(Report, report_id)
    if report is not None:
        report.progress, report.message = percent, message
        session.flush()


def finish(session: Session, report_id: int, files: Mapping[str, bytes]) -> None:
    report = session.get(Report, report_id)
    if report is None:
        return
    for name, data in files.items():
        setattr(report, name, data)
    report.status = RunStatus.SUCCEEDED
    report.progress = 100
    report.message = "Ready to download"
    report.finished_at = utcnow()
    session.flush()


def fail(session: Session, report_id: int, *, reason: str) -> None:
    report = session.get(Report, report_id)
    if report is None:
        return
    report.status = RunStatus.FAILED
    report.error = reason
    report.message = "The report could not be made"
    report.finished_at = utcnow()
    session.flush()
