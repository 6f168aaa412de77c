"""A question's curated set and its change log: finding sets, recording who changed what, and
which answers the set places. The base the edits, the re-runs and the publishing build on.

Functions take a Session and never commit; the view or task that calls them owns the transaction.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.curation.models import CuratedSet, CurationEvent
from surveys.base import utcnow
from surveys.models import Answer


class CurationError(ValueError):
    """An edit that cannot be made, with a plain-English reason."""


def curated_set(session: Session, question_id: int) -> CuratedSet | None:
    return session.scalar(select(CuratedSet).where(CuratedSet.question_id == question_id))


def sets_for(session: Session, consultation_id: int) -> dict[int, CuratedSet]:
    stmt = select(CuratedSet).where(CuratedSet.consultation_id == consultation_id)
    return {item.question_id: item for item in session.scalars(stmt)}


def record(
    session: Session,
    user_id: int | None,
    action: str,
    summary: str,
    *,
    question_id: int | None = None,
    priority_id: int | None = None,
    **details: Any,
) -> CurationEvent:
    event = CurationEvent(
        user_id=user_id,
        question_id=question_id,
        priority_id=priority_id,
        action=action,
        summary=summary,
        details=details,
        at=utcnow(),
    )
    session.add(event)
    session.flush()
    return event


def history(session: Session, question_id: int, limit: int = 50) -> list[CurationEvent]:
    stmt = (
        select(CurationEvent)
        .where(CurationEvent.question_id == question_id)
        .order_by(CurationEvent.at.desc(), CurationEvent.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def answer_ids(session: Session, question_id: int) -> list[int]:
    stmt = select(Answer.id).where(Answer.question_id == question_id, Answer.text.is_not(None))
    return list(session.scalars(stmt))


def placed_answers(item: CuratedSet) -> set[int]:
    return {link.answer_id for theme in item.themes for link in theme.assignments}


def current(item: CuratedSet) -> dict[int, set[int]]:
    themes: dict[int, set[int]] = defaultdict(set)
    for theme in item.themes:
        for link in theme.assignments:
            themes[link.answer_id].add(theme.id)
    return dict(themes)
