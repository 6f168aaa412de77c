"""Celery tasks: thin adapters between stored responses and the pure ``analysis`` package.

Each task takes ids, reads what it needs, closes its database session before the text mining,
and writes results in short transactions. Re-delivery is safe: a run starts from a clean slate.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from celery import Task, shared_task
from celery.exceptions import Retry
from flask import current_app
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from analysis.results import analyse_answers
from analysis.types import ThemeParams
from engage import locks, mail, outbox
from engage.curation import evidence
from engage.curation import services as curation
from engage.curation.models import CuratedSet
from engage.curation.runs import request_analysis
from engage.db import get_session
from engage.events import attendance as events
from engage.findings import services as findings
from engage.panel import jobs as panel_jobs
from engage.privacy import retention
from engage.reports import services as reports
from surveys import drafts
from surveys import services as survey_services
from surveys.base import utcnow

log = logging.getLogger(__name__)


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
    question = findings.load_question(session, question_id, run_id)
    session.commit()
    session.close()  # release the connection while the text mining runs
    config = current_app.config
    params = ThemeParams(
        question_text=question.title,
        method=config.get("ANALYSIS_METHOD") or "embeddings",
        embedding_model=config.get("EMBEDDING_MODEL") or None,
    )
    found = analyse_answers(
        question.answers, params, question.codebook, step_told(run_id, question.title)
    )
    findings.store_analysis(session, run_id, question.question_id, len(question.answers), found)
    if question.curated:
        curation.apply_run(session, run_id, question.question_id)
    findings.question_done(session, run_id)
    session.commit()


def step_told(run_id: int, title: str) -> Callable[[str], None]:
    """Writes each step of one question's analysis to its run, for the run page, at once.

    The text mining runs with the worker's session closed; each step opens one briefly.
    """

    def tell(step: str) -> None:
        session = get_session()
        try:
            findings.question_step(session, run_id, title, step)
            session.commit()
        finally:
            session.close()

    return tell


@contextmanager
def scheduled(name: str) -> Iterator[bool]:
    """Whether this run of the scheduled task ``name`` is the only one (see ``engage.locks``)."""
    with locks.only_one(
        current_app.extensions["engine"], name, folder=current_app.instance_path
    ) as mine:
        if not mine:
            log.info("%s skipped: another is running", name)
        yield mine


@shared_task
def tick() -> dict[str, int]:
    """Open and close consultations by their dates; start analysis for those that closed.

    Also re-sends runs the broker refused earlier, so no request depends on the broker being up.
    Runs once at a time across every beat and worker machine: a second tick does nothing.
    """
    with scheduled("tick") as mine:
        return _tick() if mine else {"skipped": 1}


def _tick() -> dict[str, int]:
    session = get_session()
    now = utcnow()
    closed = survey_services.apply_due_dates(session, now=now)
    purged = drafts.purge_expired(session, now=now)
    new_runs = [
        request_analysis(session, c, trigger="closing")
        for c in closed
        if findings.free_text_questions(c)
    ]
    session.commit()
    celery = current_app.extensions["celery"]
    sent = findings.dispatch(session, celery, findings.undispatched_runs(session))
    sent_reports = reports.dispatch(session, celery, reports.undispatched(session))
    session.commit()
    panel = panel_jobs.tick(
        session, now=now, retention_days=current_app.config["PANEL_RETENTION_DAYS"]
    )
    session.commit()
    reminded = events.due_reminders(session, now=now)
    session.commit()
    kept = retention.apply_due(
        session, now=now, defaults=retention.Defaults.from_config(current_app.config)
    )
    session.commit()
    outbox.beat(session, "worker", now)  # /readyz reads this to know a worker and beat are alive
    outbox.purge_done(session, now=now)
    session.commit()
    published = outbox.publish_pending(session, celery)
    emails = _send_mail()
    return {
        "closed": len(closed),
        "runs": len(new_runs),
        "sent": sent,
        "reports_sent": sent_reports,
        "drafts_purged": purged,
        "emails": emails,
        "event_reminders": reminded,
        "published": published,
        **panel,
        **kept,
    }


@shared_task
def send_mail(outbox_id: int | None = None) -> int:
    """Send the email outbox now (views add a task-outbox row for this; the tick also sends)."""
    sent = _send_mail()
    if outbox_id is not None:
        session = get_session()
        row = outbox.claim(session, outbox_id)
        if row is not None:
            outbox.mark_done(row)
        session.commit()
    return sent


@shared_task
def dispatch() -> int:
    """Publish the task outbox and hand queued analysis runs and reports to the broker.

    Beat runs this every ``ENGAGE_DISPATCH_SECONDS`` (the tick does it too): web requests only
    write rows, so an officer starting an analysis or a report never waits on Redis.
    """
    with scheduled("dispatch") as mine:
        if not mine:
            return 0
        session = get_session()
        celery = current_app.extensions["celery"]
        sent = outbox.publish_pending(session, celery)
        sent += findings.dispatch(session, celery, findings.undispatched_runs(session))
        session.commit()
        sent += reports.dispatch(session, celery, reports.undispatched(session))
        session.commit()
        return sent


def _once(task: Task, outbox_id: int, work: Callable[[Session], bool]) -> bool:
    """Do an outbox row's work once however often it is delivered: claim the row, do `work`
    and mark the row done in one transaction; False when it was done already. A database
    that is away (OperationalError) is retried with backoff."""
    session = get_session()
    try:
        row = outbox.claim(session, outbox_id)
        if row is None:
            session.commit()
            return False
        did = work(session)
        outbox.mark_done(row)
        session.commit()
        return did
    except OperationalError as exc:
        session.rollback()
        raise task.retry(exc=exc, countdown=2 ** (task.request.retries + 1)) from exc


@shared_task(bind=True, max_retries=5, acks_late=True)
def response_received(self: Task, outbox_id: int, response_id: int) -> bool:
    """Work after a resident's response is stored, done once however often it is delivered.

    Today it only records that the response reached the worker (the outbox row's ``done_at``,
    which /readyz and the fault tests read); work that follows a response hangs off it.
    """
    if not _once(self, outbox_id, lambda session: True):
        return False
    log.info("response %s received", response_id)
    return True


@shared_task(bind=True, max_retries=5, acks_late=True)
def measure_curated(self: Task, outbox_id: int, set_id: int) -> bool:
    """Measure an approved curated set's evidence (key words, range, tone, typical answers) for
    a question too large to measure while the officer waited. Done once however often it is
    delivered; a set edited or deleted since is skipped (its next approval queues it again)."""

    def measure(session: Session) -> bool:
        item = session.get(CuratedSet, set_id)
        if item is None or item.approved_at is None or evidence.measured(item):
            return False
        evidence.measure(session, item)
        return True

    return _once(self, outbox_id, measure)


def _send_mail() -> int:
    # Each message is committed as sent before the next is tried; if a nudge and the tick ever
    # overlap, the worst case is one duplicate email.
    config = current_app.config
    return mail.send_pending(
        get_session(),
        mail_url=config["MAIL_URL"],
        sender=config["MAIL_FROM"],
        instance_path=current_app.instance_path,
        on_bounce=panel_jobs.bounced,
    )
