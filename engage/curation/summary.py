"""An approved curated set as readers see it, shared by the findings page and the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from engage.accounts.models import User
from engage.curation import services as curation
from engage.curation.models import CuratedSet
from engage.findings import services as findings
from engage.findings.models import QuestionAnalysis, Theme, ThemeKind


@dataclass(frozen=True)
class ReviewedTheme:
    label: str
    description: str
    size: int
    share: float  # of the people who wrote an answer
    quotes: list[str]  # chosen by officers, as `show` returned them


@dataclass(frozen=True)
class Reviewed:
    themes: list[ReviewedTheme]  # largest first
    answered: int
    unplaced: int  # answers in no theme
    approved_at: datetime | None
    approved_by: str | None


def pending_proposed(item: CuratedSet, qa: QuestionAnalysis | None) -> list[Theme]:
    """Proposed themes of a run after the one curation started from (answers that fit none of
    the curated themes) that officers have not yet added to the set."""
    if qa is None or qa.run_id == item.started_from_run_id:
        return []
    taken = {key for theme in item.themes for key in theme.origins}
    return [
        theme
        for theme in qa.themes
        if theme.kind == ThemeKind.PROPOSED and curation.proposed_key(theme) not in taken
    ]


def reviewed(session: Session, item: CuratedSet, show: Callable[[str], str]) -> Reviewed:
    """The officers' themes with sizes and chosen quotes; `show` masks quotes for the reader."""
    answered = len(curation.answer_ids(session, item.question_id))
    ids = [a.answer_id for t in item.themes for a in t.assignments if a.quote]
    texts = {i: show(text) for i, text in findings.quote_texts(session, ids).items() if text}
    themes = [
        ReviewedTheme(
            label=theme.label,
            description=theme.description,
            size=len(theme.assignments),
            share=len(theme.assignments) / answered if answered else 0.0,
            quotes=[
                texts[a.answer_id] for a in theme.assignments if a.quote and a.answer_id in texts
            ],
        )
        for theme in sorted(item.themes, key=lambda t: -len(t.assignments))
    ]
    approver = session.get(User, item.approved_by_id) if item.approved_by_id else None
    return Reviewed(
        themes=themes,
        answered=answered,
        unplaced=answered - len(curation.placed_answers(item)),
        approved_at=item.approved_at,
        approved_by=approver.name if approver else None,
    )
