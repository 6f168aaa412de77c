"""Celery tasks: thin adapters between stored responses and the pure ``analysis`` package.

Each task takes ids, reads what it needs, closes its database session before the text mining,
and writes results in short transactions. Re-delivery is safe: a run starts from a clean slate.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from flask import current_app
from sqlalchemy.exc import OperationalError

from engage import mail
from engage.db import get_session
from engage.findings import services as findings
from surveys import drafts
from surveys import services as survey_services
from surveys.base import utcnow

log = logging.getLogger(__name__)

WORD_CLOUD_TERMS = 100


@shared_task(bind=True, max_retries=3, acks_late=True)
def run_analysis(self: Task, run_id: int) -> None:
    """Find themes in every free-text question of one analysis run."""
    try:
        _run_analysis(run_id, task_id=self.request.id)
    except OperationalError as exc:
        # The database went away for a moment: try again later, then give up visibly.
        get_session().rollback()
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 2)) from exc
        _record_failure(run_id, "The database could not be reached; try running it again.")
        raise
    except Exception as exc:
        get_session().rollback()
        _record_failure(run_id, f"The analysis stopped unexpectedly ({type(exc).__name__}).")
        raise


def _record_failure(run_id: int, reason: str) -> None:
    session = get_session()
    findings.fail_run(session, run_id, reason=reason)
    session.commit()


def _run_analysis(run_id: int, *, task_id: str | None) -> None:
    session = get_session()
    job = findings.start_run(session, run_id, task_id=task_id)
    session.commit()
    session.close()  # release the connection while the text mining runs
    if job is None:
        log.info("analysis run %s already finished; nothing to do", run_id)
        return

    # Deferred on purpose: scikit-learn loads only in workers, never in web processes.
    from analysis.errors import AnalysisError
    from analysis.themes import find_themes
    from analysis.types import ThemeParams
    from analysis.wordcloud import render_word_cloud, term_weights

    total = len(job.questions)
    for done, question in enumerate(job.questions):
        findings.report_progress(
            session,
            run_id,
            done=done,
            total=total,
            message=f"Finding themes in question {done + 1} of {total}",
        )
        session.commit()
        session.close()
        params = ThemeParams(question_text=question.title)
        result: dict[str, Any] | None = None
        note = None
        method = ""
        try:
            found = find_themes(question.answers, params)
            result, method = found.to_json(), found.method
        except AnalysisError as exc:
            note = str(exc)
        texts = [text for _, text in question.answers]
        weights = term_weights(texts, params, top=WORD_CLOUD_TERMS) if texts else {}
        png = render_word_cloud(weights) if weights else None
        findings.store_question_result(
            session,
            run_id,
            question.question_id,
            answer_count=len(question.answers),
            result=result,
            method=method,
            note=note,
            word_cloud_png=png,
            word_cloud_terms=sorted(weights, key=weights.__getitem__, reverse=True)[:20],
        )
        session.commit()
    findings.finish_run(session, run_id)
    session.commit()


@shared_task
def tick() -> dict[str, int]:
    """Open and close consultations by their dates; start analysis for those that closed.

    Also re-sends runs the broker refused earlier, so no request depends on the broker being up.
    """
    session = get_session()
    now = utcnow()
    closed = survey_services.apply_due_dates(session, now=now)
    purged = drafts.purge_expired(session, now=now)
    new_runs = [
        findings.request_analysis(session, c, trigger="closing")
        for c in closed
        if findings.free_text_questions(c)
    ]
    session.commit()
    sent = findings.dispatch(
        session, current_app.extensions["celery"], findings.undispatched_runs(session)
    )
    session.commit()
    emails = send_mail()
    return {
        "closed": len(closed),
        "runs": len(new_runs),
        "sent": sent,
        "drafts_purged": purged,
        "emails": emails,
    }


@shared_task
def send_mail() -> int:
    """Send the outbox. Safe to run twice at once only in the sense that each row is committed as
    sent before the next is tried; the tick and a nudge rarely overlap, and a duplicate email is
    the worst case."""
    config = current_app.config
    return mail.send_pending(
        get_session(),
        mail_url=config["MAIL_URL"],
        sender=config["MAIL_FROM"],
        instance_path=current_app.instance_path,
    )
