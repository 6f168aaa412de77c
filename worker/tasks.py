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

from analysis import pii, sentiment
from analysis.codebook import map_to_codebook
from analysis.codebook_file import Codebook
from analysis.errors import AnalysisError, EmbeddingsUnavailable
from analysis.preprocess import is_non_answer, normalise
from analysis.themes import find_themes
from analysis.types import ThemeParams
from analysis.wordcloud import render_word_cloud, term_weights
from engage import locks, mail, outbox
from engage.curation import services as curation
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
    question = findings.load_question(session, question_id, run_id)
    session.commit()
    session.close()  # release the connection while the text mining runs

    # Deferred on purpose: scikit-learn loads only in workers, never in web processes.

    config = current_app.config
    params = ThemeParams(
        question_text=question.title,
        method=config.get("ANALYSIS_METHOD") or "tfidf",
        embedding_model=config.get("EMBEDDING_MODEL") or None,
    )
    result: dict[str, Any] | None = None
    note = None
    method = ""
    # Word clouds are shown to everyone who reads the findings: no personal details in them.
    texts = [pii.mask(text, placeholders=False).text for _, text in question.answers]
    try:
        if question.codebook is not None:
            result, method, note = _map_to_codebook(
                question.answers, texts, question.codebook, params
            )
        else:
            found, note = _find_themes(question.answers, params)
            result, method = found.to_json(), found.method
    except AnalysisError as exc:
        note = str(exc)
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
    if question.curated:
        curation.apply_run(session, run_id, question.question_id)
    findings.question_done(session, run_id)
    session.commit()


EMBEDDINGS_FALLBACK_NOTE = (
    "Themes were found from word counts: the sentence-embedding model could not "
    "be used on this server (the worker's log says why)."
)


def _find_themes(answers: list[tuple[str, str]], params: Any) -> tuple[Any, str | None]:
    """Free themes; when the embedding model cannot be used, word-count themes and a note."""

    try:
        return find_themes(answers, params), None
    except EmbeddingsUnavailable as exc:
        # Officers still get themes; the note (shown with the findings) says they come from
        # word counts, and the log, not the page, names the server's folders.
        log.warning("sentence embeddings unavailable: %s", exc)
        return find_themes(answers, replace(params, method="tfidf")), EMBEDDINGS_FALLBACK_NOTE


def _map_to_codebook(
    answers: list[tuple[str, str]],
    masked: list[str],
    codebook: dict[str, Any],
    params: Any,
) -> tuple[dict[str, Any], str, str | None]:
    """Answers mapped onto the run's codebook, in the stored shape of ``find_themes``' result.

    Codebook themes keep their codebook ids and come first, in codebook order; proposed new
    themes follow. Codebook themes get key words (from their answers, masked) and a tone, as
    found themes have, so findings pages show them alike. When the embedding model cannot be
    used, answers are mapped by their words alone and the note says so.
    """

    note = None
    try:
        mapped = map_to_codebook(answers, Codebook.from_json(codebook), params).to_json()
    except EmbeddingsUnavailable as exc:
        log.warning("sentence embeddings unavailable: %s", exc)
        tfidf = replace(params, method="tfidf")
        mapped = map_to_codebook(answers, Codebook.from_json(codebook), tfidf).to_json()
        note = EMBEDDINGS_FALLBACK_NOTE
    index_of = {answer_id: n for n, (answer_id, _) in enumerate(answers)}
    members: dict[str, list[int]] = {}
    for assignment in mapped["assignments"]:
        for key in assignment["themes"]:
            members.setdefault(key, []).append(index_of[assignment["id"]])
    themes = []
    for item in mapped["themes"]:
        rows = members.get(item["id"], [])
        weights = term_weights([masked[n] for n in rows], params, top=8) if rows else {}
        scores = [sentiment.compound(answers[n][1]) for n in rows]
        low, high = item["interval"]
        themes.append(
            {
                "id": item["id"],
                "kind": "codebook",
                "label": item["label"],
                "terms": list(weights),
                "size": item["size"],
                "share": item["share"],
                "low": low,
                "high": high,
                "sentiment": sentiment.tone(scores, [1.0] * len(scores)).to_json() if rows else {},
                "quotes": item["quotes"],
            }
        )
    themes += [{**item, "kind": "proposed"} for item in mapped["proposed_themes"]]
    assignments = []
    groups: dict[str, list[str]] = {"no_comment": [], "other": []}
    for assignment in mapped["assignments"]:
        keys = [*assignment["themes"], *assignment["proposed"]]
        assignments.append(
            {"id": assignment["id"], "themes": keys, "primary": keys[0] if keys else None}
        )
        if not keys:
            text = answers[index_of[assignment["id"]]][1]
            groups["no_comment" if _says_nothing(text) else "other"].append(assignment["id"])
    result = {
        "themes": themes,
        "assignments": assignments,
        "no_comment": len(groups["no_comment"]),
        "other": len(groups["other"]),
        "no_comment_quotes": _group_quotes(groups["no_comment"], answers, index_of),
        "other_quotes": _group_quotes(groups["other"], answers, index_of),
    }
    return result, str(mapped["method"]), note


def _says_nothing(text: str) -> bool:
    """A whole answer such as "No" or "N/A", which fits no theme and proposes none."""

    return not normalise(text or "").strip() or is_non_answer(normalise(text or ""))


QUOTE_LENGTH = (20, 300)  # characters: long enough to say something, short enough to read


def _group_quotes(
    ids: list[str], answers: list[tuple[str, str]], index_of: dict[str, int]
) -> list[str]:
    """Up to 3 different answers of a group, preferring ones of a readable length."""
    seen: set[str] = set()
    distinct = []
    for answer_id in ids:
        key = " ".join(answers[index_of[answer_id]][1].lower().split())
        if key and key not in seen:
            seen.add(key)
            distinct.append(answer_id)
    low, high = QUOTE_LENGTH

    def readable(answer_id: str) -> bool:
        return low <= len(answers[index_of[answer_id]][1]) <= high

    return sorted(distinct, key=lambda answer_id: not readable(answer_id))[:3]


def _theme_clouds(
    result: dict[str, Any],
    answers: list[tuple[str, str]],
    masked: list[str],
    params: Any,
) -> dict[str, bytes]:
    """One word cloud per theme, from the (masked) answers that raise it."""

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


@shared_task(bind=True, max_retries=5, acks_late=True)
def response_received(self: Task, outbox_id: int, response_id: int) -> bool:
    """Work after a resident's response is stored, done once however often it is delivered.

    Today it only records that the response reached the worker (the outbox row's ``done_at``,
    which /readyz and the fault tests read); work that follows a response hangs off it.
    """
    session = get_session()
    try:
        row = outbox.claim(session, outbox_id)
        if row is None:
            session.commit()
            return False
        outbox.mark_done(row)
        session.commit()
        log.info("response %s received", response_id)
        return True
    except OperationalError as exc:
        session.rollback()
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc


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
