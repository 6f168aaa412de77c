"""Curated sets and analysis runs: queuing a run (mapped onto the curated themes where officers
have curated them), starting a set from a run's themes, the codebook a re-run maps
answers onto, and what a re-run adds (only answers the set has never seen), so officers' edits
survive a new analysis.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import pii
from engage.curation import rules
from engage.curation.models import CuratedAssignment, CuratedSet, CuratedTheme
from engage.curation.sets import (
    CurationError,
    answer_ids,
    curated_set,
    placed_answers,
    record,
    sets_for,
)
from engage.findings.models import AnalysisRun, QuestionAnalysis, Theme, ThemeAssignment, ThemeKind
from engage.findings.services import quote_texts
from surveys.models import Consultation, Question

PRIORITY_PREFIX = "priority-"
MAX_EXAMPLES = 8


def start(
    session: Session, question: Question, run: AnalysisRun, user_id: int | None
) -> CuratedSet:
    """Copy the run's themes and assignments for the question into a new curated set."""
    existing = curated_set(session, question.id)
    if existing is not None:
        return existing
    qa = session.scalar(
        select(QuestionAnalysis).where(
            QuestionAnalysis.run_id == run.id, QuestionAnalysis.question_id == question.id
        )
    )
    if qa is None or not qa.themes:
        raise CurationError("This question has no themes to curate yet: run the analysis first.")
    item = CuratedSet(
        question_id=question.id, consultation_id=run.consultation_id, started_from_run_id=run.id
    )
    session.add(item)
    session.flush()
    by_theme: dict[int, CuratedTheme] = {}
    for position, theme in enumerate(qa.themes, start=1):
        curated = CuratedTheme(
            set_id=item.id,
            label=theme.label,
            description=", ".join(theme.terms[:8]),
            position=position,
            origins=[theme.key],
            priority_id=priority_of_key(theme.key),
        )
        session.add(curated)
        by_theme[theme.id] = curated
    session.flush()
    baseline: dict[str, list[str]] = {str(a): [] for a in answer_ids(session, question.id)}
    key_of = {theme.id: theme.key for theme in qa.themes}
    for link in session.scalars(
        select(ThemeAssignment).where(ThemeAssignment.theme_id.in_(list(by_theme)))
    ):
        session.add(
            CuratedAssignment(theme_id=by_theme[link.theme_id].id, answer_id=link.answer_id)
        )
        baseline.setdefault(str(link.answer_id), []).append(key_of[link.theme_id])
    item.baseline = baseline
    session.flush()
    record(
        session,
        user_id,
        "start",
        f"Started curating from the analysis of {run.finished_at or run.created_at:%d %B %Y}",
        question_id=question.id,
        run_id=run.id,
    )
    return item


def priority_of_key(key: str) -> int | None:
    """A theme of a run against the strategic priorities is keyed "priority-<id>"."""
    number = key.removeprefix(PRIORITY_PREFIX)
    return int(number) if key.startswith(PRIORITY_PREFIX) and number.isdigit() else None


def proposed_key(theme: Theme) -> str:
    """Proposed themes of different runs share keys ("new1"), so the run's id is added."""
    return f"run{theme.question_analysis.run_id}:{theme.key}"


def codebook(session: Session, item: CuratedSet) -> dict[str, Any]:
    """The curated themes as a codebook file for a re-run: ids "c<id>", the officers' labels and
    descriptions, and member answers (personal details removed) as examples."""
    texts = quote_texts(session, [link.answer_id for t in item.themes for link in t.assignments])
    themes = []
    for theme in item.themes:
        # Quotes first: officers chose them as typical; then answers moved by hand.
        links = sorted(theme.assignments, key=lambda a: (not a.quote, not a.pinned, a.answer_id))
        examples = [pii.mask_text(texts[a.answer_id]) for a in links if texts.get(a.answer_id)]
        themes.append(
            {
                "id": rules.curated_key(theme.id),
                "label": theme.label,
                "description": theme.description,
                "examples": [text for text in examples if text.strip()][:MAX_EXAMPLES],
            }
        )
    return {"themes": themes}


def run_codebooks(session: Session, consultation_id: int) -> dict[str, Any]:
    """What a new run keeps of the consultation's curated sets: a codebook per question id."""
    return {
        str(question_id): codebook(session, item)
        for question_id, item in sets_for(session, consultation_id).items()
        if item.themes
    }


def apply_run(session: Session, run_id: int, question_id: int) -> int:
    """After a run stored a question's result, give the curated set the machine's themes for the
    answers it has never seen; answers it knows keep the officers' themes. Idempotent: a second
    call finds every answer known. Returns how many answers were added."""
    item = curated_set(session, question_id)
    qa = session.scalar(
        select(QuestionAnalysis).where(
            QuestionAnalysis.run_id == run_id, QuestionAnalysis.question_id == question_id
        )
    )
    if item is None or qa is None:
        return 0
    by_id = {theme.id: theme for theme in item.themes}
    machine: dict[int, list[str]] = {a: [] for a in answer_ids(session, question_id)}
    key_of = {theme.id: theme.key for theme in qa.themes if theme.kind == ThemeKind.CODEBOOK}
    links = session.scalars(
        select(ThemeAssignment).where(ThemeAssignment.theme_id.in_(list(key_of)))
    )
    for link in links:
        machine.setdefault(link.answer_id, []).append(key_of[link.theme_id])
    known = {int(a) for a in item.baseline} | placed_answers(item)
    added = rules.new_answers(known, machine)
    for answer_id, keys in added.items():
        for key in keys:
            theme = by_id.get(rules.theme_of_curated_key(key) or 0)
            if theme is not None:
                theme.assignments.append(CuratedAssignment(answer_id=answer_id))
    if added:
        item.baseline = {**item.baseline, **{str(a): keys for a, keys in added.items()}}
        session.flush()
        record(
            session,
            None,
            "rerun",
            f"A new analysis placed {len(added)} new answer{'s' if len(added) != 1 else ''}",
            question_id=question_id,
            run_id=run_id,
        )
    return len(added)


def request_analysis(
    session: Session,
    consultation: Consultation,
    *,
    trigger: str,
    requested_by_id: int | None = None,
    params: dict[str, Any] | None = None,
) -> AnalysisRun:
    """A queued run. ``params["mode"]`` is "free" (the default) or "codebook", with a copy of
    the codebook's themes in ``params["codebook"]`` (see ``engage.codebooks.services``).

    Questions whose themes officers have curated are mapped onto their curated themes instead,
    whatever the mode: ``params["curated"]`` keeps a copy of each as a codebook, so the run
    gives the same result however often its task is delivered."""
    params = dict(params or {})
    curated = run_codebooks(session, consultation.id)
    if curated:
        params["curated"] = curated
    run = AnalysisRun(
        consultation_id=consultation.id,
        trigger=trigger,
        requested_by_id=requested_by_id,
        params=params,
    )
    session.add(run)
    session.flush()
    return run
