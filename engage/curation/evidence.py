"""The evidence behind each curated theme, measured again from the answers it holds.

Officers' renames, merges, splits and moves change what a theme contains, so the machine's key
words, range and tone stop fitting it. When a set is approved, ``measure`` takes them again from
the answers each theme holds now (analysis.evidence); ``quotes_of`` gives the quotes readers see:
those officers chose, or else the theme's most typical answers.

Measuring takes about 0.4 s per 1,000 answers, so a question with more than MEASURE_IN_REQUEST
answers is measured by the worker (``measure_later``) and its readers are told so meanwhile.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.evidence import describe_groups
from engage import outbox
from engage.curation.models import CuratedSet, CuratedTheme
from engage.curation.sets import answer_ids, sets_for
from engage.findings.exports import APPROVED, AnswerThemes, machine_themes
from engage.findings.models import AnalysisRun
from surveys.models import Answer, Question

MEASURE_TASK = "worker.tasks.measure_curated"
# Answers measured inside a web request (about 0.8 s at this size); larger ones go to the worker.
MEASURE_IN_REQUEST = 2_000


def measured(item: CuratedSet) -> bool:
    """Every theme with answers has its evidence."""
    return all(t.evidence for t in item.themes if t.assignments)


def measure_soon(session: Session, item: CuratedSet) -> bool:
    """Measure now if the question is small enough for a request, else leave it to the worker
    (evidence cleared, so nothing stale is shown). True when measured now."""
    ids = answer_ids(session, item.question_id)
    if len(ids) <= MEASURE_IN_REQUEST:
        measure(session, item, ids)
        return True
    for theme in item.themes:
        theme.evidence = {}
    session.flush()
    outbox.enqueue(session, MEASURE_TASK, [item.id], key=f"measure:{item.id}:{uuid.uuid4().hex}")
    return False


def measure(session: Session, item: CuratedSet, ids: list[int] | None = None) -> None:
    """Store each theme's key words, 95% range, tone and typical answers (`ids`: the
    question's answers, when the caller has them already)."""
    ids = answer_ids(session, item.question_id) if ids is None else ids
    stmt = select(Answer.id, Answer.text).where(Answer.id.in_(ids))
    texts: dict[int, str | None] = {answer_id: text for answer_id, text in session.execute(stmt)}
    question = session.get(Question, item.question_id)
    found = describe_groups(
        [(str(i), texts.get(i) or "") for i in ids],
        [[str(link.answer_id) for link in theme.assignments] for theme in item.themes],
        question_text=question.title if question else "",
    )
    for theme, evidence in zip(item.themes, found, strict=True):
        theme.evidence = evidence.to_json()
    session.flush()


def chosen_quotes(theme: CuratedTheme) -> list[int]:
    return [link.answer_id for link in theme.assignments if link.quote]


def quotes_of(theme: CuratedTheme) -> tuple[list[int], bool]:
    """The answer ids to quote, and whether officers chose them (else: the most typical)."""
    chosen = chosen_quotes(theme)
    if chosen:
        return chosen, True
    return [int(i) for i in (theme.evidence or {}).get("typical", [])], False


def without_quotes(item: CuratedSet) -> list[CuratedTheme]:
    """Themes with answers whose quotes officers have not chosen."""
    return [t for t in item.themes if t.assignments and not chosen_quotes(t)]


def answer_themes(session: Session, consultation_id: int, run: AnalysisRun | None) -> AnswerThemes:
    """Each answer's themes as readers should see them: the officers' approved set where a
    question has one, the analysis's (labelled as such) where it has not."""
    found = machine_themes(session, run)
    for question_id, item in sets_for(session, consultation_id).items():
        if item.approved_at is None:
            continue
        for answer_id in answer_ids(session, question_id):
            found.labels.pop(answer_id, None)
            found.main.pop(answer_id, None)
        for theme in item.themes:
            for link in theme.assignments:
                found.labels.setdefault(link.answer_id, []).append(theme.label)
                found.main.setdefault(link.answer_id, theme.label)
        found.source[question_id] = APPROVED
    return found
