"""Celery task that builds a report's files (web page, tagged PDF, XLSX, CSV) in the worker."""

from __future__ import annotations

from celery import Task, shared_task
from sqlalchemy.exc import OperationalError

from engage.db import get_session
from engage.reports import board_report, build, findings_report
from engage.reports import services as reports
from engage.reports.models import ReportKind
from surveys.models import Consultation


@shared_task(bind=True, max_retries=3, acks_late=True)
def build_report(self: Task, report_id: int) -> None:
    """Build one report; re-running it replaces its files, and a failure tells the reader why."""
    session = get_session()
    try:
        report = reports.start(session, report_id, task_id=self.request.id)
        session.commit()
        if report is None:
            return
        if report.kind == ReportKind.BOARD:
            board = board_report.gather(session)
            html, sheets = board_report.render_html(board), board_report.sheets(board)
        else:
            consultation = session.get(Consultation, report.consultation_id)
            if consultation is None:
                reports.fail(session, report_id, reason="The consultation has been deleted.")
                session.commit()
                return
            data = findings_report.gather(session, consultation)
            html, sheets = findings_report.render_html(data), findings_report.sheets(data)
        session.commit()

        def progress(percent: int, message: str) -> None:
            reports.progress(session, report_id, percent, message)
            session.commit()

        files = build.files(html, sheets, progress)
        reports.finish(session, report_id, files)
        session.commit()
    except OperationalError as exc:
        session.rollback()
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 2)) from exc
        reports.fail(session, report_id, reason="The database could not be reached; try again.")
        session.commit()
        raise
    except Exception as exc:
        session.rollback()
        reports.fail(
            session, report_id, reason=f"The report stopped unexpectedly ({type(exc).__name__})."
        )
        session.commit()
        raise
