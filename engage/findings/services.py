"""Analysis runs: requesting them, the worker's reads and writes, and what findings pages show.

Functions take a Session and never commit; the view or task that calls them owns the transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from celery import Celery
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from analysis.results import QuestionResult
from engage.findings.models import (
    AnalysisRun,
    QuestionAnalysis,
    RunStatus,
    Theme,
    ThemeAssignment,
    ThemeKind,
)
from engage.population import services as population_figures
from surveys import equalities, population
from surveys import services as survey_services
from surveys.base import utcnow
from surveys.models import Answer, Consultation, EqualitiesAnswers, Question
from surveys.population import GroupTable
from surveys.questions import get_type

log = logging.getLogger(__name__)

RUN_ANALYSIS_TASK = "worker.tasks.run_analysis"


def free_text_questions(consultation: Consultation) -> list[Question]:
    return [q for q in consultation.questions if get_type(q.type).free_text]


def dispatch(session: Session, celery: Celery, runs: Sequence[AnalysisRun]) -> int:
    """Hand committed runs to the broker. A run the broker refused stays queued for the next tick.

    Call only after the runs are committed, so the worker can never look for a row it cannot see.
    """
    sent = 0
    for run in runs:
        try:
            result = celery.send_task(RUN_ANALYSIS_TASK, args=[run.id], retry=False)
        except Exception as exc:  # noqa: BLE001 - any broker failure leaves the run for the next tick
            log.warning("broker refused analysis run %s: %s", run.id, exc)
            continue
        run.dispatched_at = utcnow()
        run.task_id = result.id
        sent += 1
    session.flush()
    return sent


def undispatched_runs(session: Session) -> list[AnalysisRun]:
    """Queued runs no dispatcher has sent; rows another dispatcher holds are left to it."""
    stmt = (
        select(AnalysisRun)
        .where(AnalysisRun.status == RunStatus.QUEUED, AnalysisRun.dispatched_at.is_(None))
        .order_by(AnalysisRun.id)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite has one writer anyway
    )
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class QuestionJob:
    question_id: int
    title: str
    answers: list[tuple[str, str]]  # (answer id, text)
    # In a codebook run, the copy of the codebook the run was started with (file shape).
    codebook: dict[str, Any] | None = None
    # The codebook is the question's curated themes (see engage.curation).
    curated: bool = False


@dataclass(frozen=True)
class RunJob:
    run_id: int
    question_ids: list[int]


def start_run(session: Session, run_id: int, *, task_id: str | None) -> RunJob | None:
    """Mark the run as running and list its questions; None if it already finished.

    A re-delivered task starts again from a clean slate, so it leaves exactly one result.
    """
    run = session.get(AnalysisRun, run_id)
    if run is None or run.status == RunStatus.SUCCEEDED:
        return None
    consultation = session.get(Consultation, run.consultation_id)
    assert consultation is not None
    run.status = RunStatus.RUNNING
    run.task_id = task_id or run.task_id
    run.attempts += 1
    run.started_at = utcnow()
    run.finished_at = None
    run.error = None
    run.progress = 0
    run.message = "Reading the answers"
    session.execute(delete(QuestionAnalysis).where(QuestionAnalysis.run_id == run_id))
    session.flush()
    return RunJob(run_id=run_id, question_ids=[q.id for q in free_text_questions(consultation)])


def load_question(session: Session, question_id: int, run_id: int | None = None) -> QuestionJob:
    """One question's free-text answers as plain values, read before the text mining starts,
    with the run's codebook when it maps answers onto one."""
    question = session.get(Question, question_id)
    assert question is not None
    answers = survey_services.free_text_answers(session, question_id)
    run = session.get(AnalysisRun, run_id) if run_id is not None else None
    params = (run.params if run else None) or {}
    codebook = params.get("codebook") if params.get("mode") == "codebook" else None
    curated = (params.get("curated") or {}).get(str(question_id))
    return QuestionJob(
        question_id,
        question.title,
        [(str(i), t) for i, t in answers],
        curated or codebook,
        curated=curated is not None,
    )


def question_done(session: Session, run_id: int) -> bool:
    """Count a finished question towards its run; finish the run when it was the last.

    The run row is locked first, so two questions finishing at once never both miss the last
    count (PostgreSQL; SQLite writes one at a time anyway). Returns whether the run finished.
    """
    run = session.scalar(select(AnalysisRun).where(AnalysisRun.id == run_id).with_for_update())
    if run is None or run.status != RunStatus.RUNNING:
        return False
    done, total = _questions_done(session, run)
    if done >= total:
        finish_run(session, run_id)
        return True
    run.progress = int(100 * done / max(total, 1))
    run.message = f"Themes found in {done} of {total} questions"
    session.flush()
    return False


def _questions_done(session: Session, run: AnalysisRun) -> tuple[int, int]:
    """(questions with stored themes, free-text questions) of one run."""
    consultation = session.get(Consultation, run.consultation_id)
    assert consultation is not None
    done = session.scalar(
        select(func.count()).select_from(QuestionAnalysis).where(QuestionAnalysis.run_id == run.id)
    )
    return done or 0, len(free_text_questions(consultation))


def question_step(session: Session, run_id: int, title: str, step: str) -> None:
    """Say on the run page what the analysis of one question is doing now."""
    run = session.get(AnalysisRun, run_id)
    if run is None or run.status != RunStatus.RUNNING:
        return
    done, total = _questions_done(session, run)
    shown = title if len(title) <= 80 else title[:77].rstrip() + "..."
    run.message = f"Themes found in {done} of {total} questions. “{shown}”: {step}."
    session.flush()


def report_progress(session: Session, run_id: int, *, done: int, total: int, message: str) -> None:
    run = session.get(AnalysisRun, run_id)
    assert run is not None
    run.progress = int(100 * done / max(total, 1))
    run.message = message
    session.flush()


def store_analysis(
    session: Session, run_id: int, question_id: int, answer_count: int, found: QuestionResult
) -> QuestionAnalysis:
    """Save what ``analysis.results.analyse_answers`` built for one question of a run."""
    return store_question_result(
        session,
        run_id,
        question_id,
        answer_count=answer_count,
        result=found.result,
        method=found.method,
        note=found.note,
        word_cloud_png=found.word_cloud_png,
        word_cloud_terms=found.word_cloud_terms,
        theme_clouds=found.theme_clouds,
    )


def store_question_result(
    session: Session,
    run_id: int,
    question_id: int,
    *,
    answer_count: int,
    result: dict[str, Any] | None,
    method: str = "",
    note: str | None = None,
    word_cloud_png: bytes | None = None,
    word_cloud_terms: list[str] | None = None,
    theme_clouds: dict[str, bytes] | None = None,
) -> QuestionAnalysis:
    """Store one question's themes (``result`` in the ``engage themes`` JSON shape)."""
    session.execute(
        delete(QuestionAnalysis).where(
            QuestionAnalysis.run_id == run_id, QuestionAnalysis.question_id == question_id
        )
    )
    qa = QuestionAnalysis(
        run_id=run_id,
        question_id=question_id,
        answer_count=answer_count,
        method=method,
        note=note,
        word_cloud_png=word_cloud_png,
        word_cloud_terms=word_cloud_terms or [],
    )
    session.add(qa)
    session.flush()
    if result is None:
        return qa
    qa.no_comment = int(result.get("no_comment", 0))
    qa.other = int(result.get("other", 0))
    # Quotes for the two groups arrive with newer analysis results; older ones have none.
    qa.no_comment_quote_ids = [int(a) for a in result.get("no_comment_quotes", [])]
    qa.other_quote_ids = [int(a) for a in result.get("other_quotes", [])]
    themes: dict[str, Theme] = {}
    for position, item in enumerate(result["themes"], start=1):
        theme = Theme(
            question_analysis_id=qa.id,
            key=item["id"],
            kind=item.get("kind", ThemeKind.FOUND),
            position=position,
            label=item["label"],
            terms=list(item["terms"]),
            size=item["size"],
            share=item["share"],
            quote_answer_ids=[int(a) for a in item["quotes"]],
            low=float(item.get("low", 0.0)),
            high=float(item.get("high", 0.0)),
            sentiment=dict(item.get("sentiment") or {}),
            word_cloud_png=(theme_clouds or {}).get(item["id"]),
        )
        session.add(theme)
        themes[item["id"]] = theme
    session.flush()
    for assignment in result["assignments"]:
        for key in assignment["themes"]:
            session.add(
                ThemeAssignment(
                    theme_id=themes[key].id,
                    answer_id=int(assignment["id"]),
                    primary=key == assignment["primary"],
                )
            )
    session.flush()
    return qa


def finish_run(session: Session, run_id: int) -> None:
    run = session.get(AnalysisRun, run_id)
    assert run is not None
    run.status = RunStatus.SUCCEEDED
    run.progress = 100
    run.message = "Finished"
    run.finished_at = utcnow()
    session.flush()


def fail_run(session: Session, run_id: int, *, reason: str) -> None:
    run = session.get(AnalysisRun, run_id)
    if run is None:
        return
    run.status = RunStatus.FAILED
    run.error = reason
    run.message = "Stopped with an error"
    run.finished_at = utcnow()
    session.flush()


def latest_runs(session: Session, consultation_id: int, limit: int = 5) -> list[AnalysisRun]:
    stmt = (
        select(AnalysisRun)
        .where(AnalysisRun.consultation_id == consultation_id)
        .order_by(AnalysisRun.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def latest_successful_run(session: Session, consultation_id: int) -> AnalysisRun | None:
    stmt = (
        select(AnalysisRun)
        .where(
            AnalysisRun.consultation_id == consultation_id,
            AnalysisRun.status == RunStatus.SUCCEEDED,
        )
        .order_by(AnalysisRun.finished_at.desc(), AnalysisRun.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def quote_texts(session: Session, answer_ids: Sequence[int]) -> dict[int, str]:
    if not answer_ids:
        return {}
    stmt = select(Answer.id, Answer.text).where(Answer.id.in_(answer_ids))
    return {answer_id: text or "" for answer_id, text in session.execute(stmt)}


def who_took_part(
    session: Session, item: Consultation, localities: Sequence[str]
) -> list[GroupTable] | None:
    """The equalities profile against the population figures, small groups suppressed; None
    when the consultation did not ask, [] when too few answered to show any group."""
    if not item.equalities:
        return None
    rows = session.scalars(
        select(EqualitiesAnswers).where(EqualitiesAnswers.consultation_id == item.id)
    )
    answers = [{f: getattr(row, f) for f in equalities.FIELDS} for row in rows]
    if len(answers) < equalities.SUPPRESS_BELOW:
        return []
    figures = population_figures.load(session)
    block = equalities.questions(localities)
    return population.profile(block, answers, figures.people, figures.sources)
