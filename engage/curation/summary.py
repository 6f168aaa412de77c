"""An approved curated set as readers see it, shared by the findings page and the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engage.accounts.models import User
from engage.curation import evidence
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
    quotes: list[str]  # as `show` returned them: chosen by officers, else the most typical
    quotes_chosen: bool  # officers chose the quotes
    terms: list[str] = field(default_factory=list)  # key words of the theme's own answers
    low: float = 0.0  # 95% range of the share
    high: float = 0.0
    sentiment: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reviewed:
    themes: list[ReviewedTheme]  # largest first
    answered: int
    unplaced: int  # answers in no theme
    approved_at: datetime | None
    approved_by: str | None
    measuring: bool = False  # the worker is still measuring key words, range and tone


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


def reviewed(
    session: Session, item: CuratedSet, show: Callable[[str], str], *, wait: bool = False
) -> Reviewed:
    """The officers' themes with sizes and chosen quotes; `show` masks quotes for the reader.

    Evidence not yet measured (a set approved before themes kept it, or a large question the
    worker has not reached) is measured here when the question is small or the caller can
    `wait` (the report, built by the worker); else the readers are told it is on its way.
    """
    ids = curation.answer_ids(session, item.question_id)
    answered = len(ids)
    measuring = False
    if item.themes and not evidence.measured(item):
        if wait or answered <= evidence.MEASURE_IN_REQUEST:
            evidence.measure(session, item, ids)
        else:
            measuring = True
    quoted = {t.id: evidence.quotes_of(t) for t in item.themes}
    ids = [i for quote_ids, _ in quoted.values() for i in quote_ids]
    texts = {i: show(text) for i, text in findings.quote_texts(session, ids).items() if text}
    themes = [
        ReviewedTheme(
            label=theme.label,
            description=theme.description,
            size=len(theme.assignments),
            share=len(theme.assignments) / answered if answered else 0.0,
            quotes=[texts[i] for i in quoted[theme.id][0] if i in texts],
            quotes_chosen=quoted[theme.id][1],
            terms=list(theme.evidence.get("terms", [])),
            low=float(theme.evidence.get("low", 0.0)),
            high=float(theme.evidence.get("high", 0.0)),
            sentiment=dict(theme.evidence.get("sentiment", {})),
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
        measuring=measuring,
    )
