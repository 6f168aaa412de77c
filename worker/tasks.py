"""Celery tasks: thin adapters between stored responses and the pure ``analysis`` package.

Each task takes ids, reads what it needs, closes its database session before the text mining,
and writes results in short transactions. Re-delivery is safe: a run starts from a clean slate.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from celery import Task, shared_task
from celery.exceptions import Retry
from flask import current_app
from sqlalchemy.exc import OperationalError

from engage import mail
from engage.db import get_session
from engage.findings import services as findings
from engage.reports import services as reports
from surveys import drafts
from surveys import services as survey_services
from surveys.base import utcnow

log = logging.getLogger(__name__)

WORD_CLOUD_TERMS = 100


ANALYSE_QUESTION_TASK = "worker.tasks.analyse_question"


@shared_task(bind=True, max_retries=3, acks_late=True)
def run_analysis(self: Task, run_id: int) -> None:
    """Start an analysis run: one task per free-text question, so several workers share a big
    consultation and the run's progress moves as each question finishes."""
    with failures_recorded(self, run_id):
        session = get_session()
        job = findings.start_run(session, run_id, task_id=self.request.id)
        if job is not None and not job.question_ids:
            findings.finish_run(session, run_id)
        session.commit()
        if job is None or not job.question_ids:
            return
        fan_out = current_app.config.get("ANALYSIS_FAN_OUT", True) and len(job.question_ids) > 1
        celery = current_app.extensions["celery"]
        for question_id in job.question_ids:
            if fan_out:
                try:
                    celery.send_task(ANALYSE_QUESTION_TASK, args=[run_id, question_id], retry=False)
                    continue
                except Exception as exc:  # noqa: BLE001 - no broker: do the question here instead
                    log.warning("could not fan out question %s: %s", question_id, exc)
            _analyse_question(run_id, question_id)


@shared_task(bind=True, max_retries=3, acks_late=True)
def analyse_question(self: Task, run_id: int, question_id: int) -> None:
    """Find themes in one question's answers and store them (replacing any earlier result)."""
    with failures_recorded(self, run_id):
        _analyse_question(run_id, question_id)


@contextmanager
def failures_recorded(task: Task, run_id: int) -> Iterator[None]:
    """Retry a lost database with backoff; any other failure ends the run with a reason."""
    try:
        yield
    except Retry:
        raise
    except OperationalError as exc:
        # The database went away for a moment: try again later, then give up visibly.
        get_session().rollback()
        if task.request.retries < task.max_retries:
            raise task.retry(exc=exc, countdown=2 ** (task.request.retries + 2)) from exc
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


def _analyse_question(run_id: int, question_id: int) -> None:
    session = get_session()
    question = findings.load_question(session, question_id)
    session.commit()
    session.close()  # release the connection while the text mining runs

    # Deferred on purpose: scikit-learn loads only in workers, never in web processes.
    from analysis import pii
    from analysis.errors import AnalysisError, EmbeddingsUnavailable
    from analysis.themes import find_themes
    from analysis.types import ThemeParams
    from analysis.wordcloud import render_word_cloud, term_weights

    config = current_app.config
    params = ThemeParams(
        question_text=question.title,
        method=config.get("ANALYSIS_METHOD") or "tfidf",
        embedding_model=config.get("EMBEDDING_MODEL") or None,
    )
    result: dict[str, Any] | None = None
    note = None
    method = ""
    try:
        try:
            found = find_themes(question.answers, params)
        except EmbeddingsUnavailable as exc:
            # Officers still get themes; the note (shown with the findings) says they come from
            # word counts, and the log, not the page, names the server's folders.
            log.warning("sentence embeddings unavailable: %s", exc)
            params = replace(params, method="tfidf")
            found = find_themes(question.answers, params)
            note = (
                "Themes were found from word counts: the sentence-embedding model could not "
                "be used on this server (the worker's log says why)."
            )
        result, method = found.to_json(), found.method
    except AnalysisError as exc:
        note = str(exc)
    # Word clouds are shown to everyone who reads the findings: no personal details in them.
    texts = [pii.mask(text, placeholders=False).text for _, text in question.answers]
    weights = term_weights(texts, params, top=WORD_CLOUD_TERMS) if texts else {}
    png = render_word_cloud(weights) if weights else None
    theme_clouds = _theme_clouds(result, question.answers, texts, params) if result else {}
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
        theme_clouds=theme_clouds,
    )
    findings.question_done(session, run_id)
    session.commit()


def _theme_clouds(
    result: dict[str, Any],
    answers: list[tuple[str, str]],
    masked: list[str],
    params: Any,
) -> dict[str, bytes]:
    """One word cloud per theme, from the (masked) answers that raise it."""
    from analysis.wordcloud import render_word_cloud, term_weights

    text_of = {answer_id: text for (answer_id, _), text in zip(answers, masked, strict=True)}
    members: dict[str, list[str]] = {}
    for assignment in result["assignments"]:
        for key in assignment["themes"]:
            members.setdefault(key, []).append(text_of[assignment["id"]])
    clouds = {}
    for key, texts in members.items():
        weights = term_weights(texts, params, top=WORD_CLOUD_TERMS // 2)
        if weights:
            clouds[key] = render_word_cloud(weights, width=600, height=300)
    return clouds


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
    celery = current_app.extensions["celery"]
    sent = findings.dispatch(session, celery, findings.undispatched_runs(session))
    sent_reports = reports.dispatch(session, celery, reports.undispatched(session))
    session.commit()
    emails = _send_mail()
    return {
        "closed": len(closed),
        "runs": len(new_runs),
        "sent": sent,
        "reports_sent": sent_reports,
        "drafts_purged": purged,
        "emails": emails,
    }


@shared_task
def send_mail() -> int:
    """Send the outbox now (views nudge this after queueing an email; the tick also sends)."""
    return _send_mail()


def _send_mail() -> int:
    # Each message is committed as sent before the next is tried; if a nudge and the tick ever
    # overlap, the worst case is one duplicate email.
    config = current_app.config
    return mail.send_pending(
        get_session(),
        mail_url=config["MAIL_URL"],
        sender=config["MAIL_FROM"],
        instance_path=current_app.instance_path,
    )
