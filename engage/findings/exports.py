"""The free-text answers download: each answer with the themes it was placed in.

Written through ``surveys.exports`` so formula injection is escaped as in every other download.
Equalities answers never appear in it. The caller decides whether the text is masked: JOG
members and officers of partners that do not run the consultation get personal details masked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engage.findings.models import AnalysisRun, ThemeAssignment, ThemeKind
from engage.findings.services import free_text_questions
from surveys import exports
from surveys.models import Answer, Consultation, Response

HEADER = ("Question number", "Question", "Response number", "Answer", "Themes", "Main theme")


def answer_rows(
    session: Session,
    consultation: Consultation,
    run: AnalysisRun | None,
    show: Callable[[str], str],
) -> Iterator[list[exports.Cell]]:
    """One row per free-text answer, question by question; ``show`` masks the text or not."""
    numbers = {q.id: n for n, q in exports.numbered(consultation)}
    response_number = {
        response_id: n
        for response_id, n in session.execute(
            select(Response.id, func.row_number().over(order_by=Response.id).label("n")).where(
                Response.consultation_id == consultation.id
            )
        )
    }
    labels_of, main_of = _themes_by_answer(session, run)
    for question in free_text_questions(consultation):
        stmt = (
            select(Answer.id, Answer.response_id, Answer.text)
            .where(Answer.question_id == question.id, Answer.text.is_not(None))
            .order_by(Answer.response_id)
        )
        for answer_id, response_id, text in session.execute(stmt):
            if not (text or "").strip():
                continue
            yield [
                f"Q{numbers.get(question.id, '')}",
                question.title,
                response_number.get(response_id, ""),
                show(text),
                "; ".join(labels_of.get(answer_id, [])),
                main_of.get(answer_id, ""),
            ]


def _themes_by_answer(
    session: Session, run: AnalysisRun | None
) -> tuple[dict[int, list[str]], dict[int, str]]:
    """Each answer's theme labels (proposed ones marked) in theme order, and its main theme."""
    if run is None:
        return {}, {}
    labels: dict[int, list[str]] = {}
    main: dict[int, str] = {}
    for qa in run.questions:
        themes = {t.id: t for t in qa.themes}
        if not themes:
            continue
        stmt = select(ThemeAssignment).where(ThemeAssignment.theme_id.in_(themes))
        found = sorted(session.scalars(stmt), key=lambda a: themes[a.theme_id].position)
        for assignment in found:
            theme = themes[assignment.theme_id]
            label = theme.label
            if theme.kind == ThemeKind.PROPOSED:
                label += " (proposed new theme)"
            labels.setdefault(assignment.answer_id, []).append(label)
            if assignment.primary:
                main[assignment.answer_id] = label
    return labels, main


def export_answers(
    session: Session,
    consultation: Consultation,
    run: AnalysisRun | None,
    fmt: str,
    show: Callable[[str], str],
) -> bytes:
    body = answer_rows(session, consultation, run, show)
    if fmt == "xlsx":
        return exports.to_xlsx(HEADER, body, "Free-text answers")
    return exports.to_csv(HEADER, body)
