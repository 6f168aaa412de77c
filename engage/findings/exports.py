"""The free-text answers download: each answer with the themes it was placed in.

Written through ``surveys.exports`` so formula injection is escaped as in every other download.
Equalities answers never appear in it. The caller decides whether the text is masked: JOG
members and officers of partners that do not run the consultation get personal details masked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engage.findings.models import AnalysisRun, ThemeAssignment, ThemeKind
from engage.findings.services import free_text_questions
from surveys import exports
from surveys.models import Answer, Consultation, Response

HEADER = (
    "Question number",
    "Question",
    "Response number",
    "Answer",
    "Themes",
    "Main theme",
    "Themes from",
)
MACHINE = "The analysis (not yet reviewed by officers)"
APPROVED = "Officers' approved themes"


@dataclass
class AnswerThemes:
    """Each answer's theme labels in theme order, its main theme, and where each question's
    themes came from (MACHINE or APPROVED)."""

    labels: dict[int, list[str]] = field(default_factory=dict)
    main: dict[int, str] = field(default_factory=dict)
    source: dict[int, str] = field(default_factory=dict)  # by question id


def answer_rows(
    session: Session,
    consultation: Consultation,
    themes: AnswerThemes,
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
                "; ".join(themes.labels.get(answer_id, [])),
                themes.main.get(answer_id, ""),
                themes.source.get(question.id, ""),
            ]


def machine_themes(session: Session, run: AnalysisRun | None) -> AnswerThemes:
    """The run's themes of each answer (proposed ones marked), in theme order."""
    found = AnswerThemes()
    if run is None:
        return found
    labels, main = found.labels, found.main
    for qa in run.questions:
        found.source[qa.question_id] = MACHINE
        themes = {t.id: t for t in qa.themes}
        if not themes:
            continue
        stmt = select(ThemeAssignment).where(ThemeAssignment.theme_id.in_(themes))
        links = sorted(session.scalars(stmt), key=lambda a: themes[a.theme_id].position)
        for assignment in links:
            theme = themes[assignment.theme_id]
            label = theme.label
            if theme.kind == ThemeKind.PROPOSED:
                label += " (proposed new theme)"
            labels.setdefault(assignment.answer_id, []).append(label)
            if assignment.primary:
                main[assignment.answer_id] = label
    return found


def export_answers(
    session: Session,
    consultation: Consultation,
    themes: AnswerThemes,
    fmt: str,
    show: Callable[[str], str],
) -> bytes:
    body = answer_rows(session, consultation, themes, show)
    if fmt == "xlsx":
        return exports.to_xlsx(HEADER, body, "Free-text answers")
    return exports.to_csv(HEADER, body)
