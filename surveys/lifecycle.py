"""A consultation's life after it is built: its details, publishing results, archiving, copying.

Opening and closing by date live in ``surveys.services`` (``apply_due_dates``); this module holds
what officers do by hand. Functions take a Session and never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from surveys import drafts
from surveys.errors import SurveyError
from surveys.models import (
    TOPICS,
    Consultation,
    ConsultationStatus,
    Page,
    Question,
)
from surveys.routing import END
from surveys.services import check_dates, unique_slug

# States in which results ("We asked, you said, we did") may be published or edited.
RESULT_STATES = (ConsultationStatus.CLOSED, ConsultationStatus.PUBLISHED)
ARCHIVABLE_STATES = RESULT_STATES


def update_details(
    session: Session,
    consultation: Consultation,
    *,
    title: str,
    summary: str,
    opens_at: datetime | None,
    closes_at: datetime | None,
    topic: str = "",
    localities: Sequence[str] = (),
    other_ways: str = "",
    anonymous: bool = True,
    equalities: bool = False,
) -> None:
    """Change what the hub shows about a consultation and how it asks.

    Archived consultations are a record and stay as they were. A scheduled consultation needs
    its opening date, or the scheduler would never open it.
    """
    if consultation.status == ConsultationStatus.ARCHIVED:
        raise SurveyError("An archived consultation cannot be changed")
    if topic and topic not in TOPICS:
        raise SurveyError("Choose a topic from the list")
    check_dates(opens_at, closes_at)
    if consultation.status == ConsultationStatus.SCHEDULED and opens_at is None:
        raise SurveyError("A scheduled consultation needs an opening date")
    if consultation.status not in (ConsultationStatus.DRAFT, ConsultationStatus.SCHEDULED) and (
        anonymous != consultation.anonymous or equalities != consultation.equalities
    ):
        # People answered on the terms they were shown; those terms cannot change under them.
        raise SurveyError(
            "Whether responses are anonymous, and whether the equalities questions are asked, "
            "cannot change once people have started to respond"
        )
    consultation.title = title.strip()
    consultation.summary = summary.strip()
    consultation.opens_at = opens_at
    if closes_at != consultation.closes_at:
        drafts.follow_closing_date(session, consultation, closes_at)
    consultation.closes_at = closes_at
    consultation.topic = topic
    consultation.localities = list(dict.fromkeys(name.strip() for name in localities if name))
    consultation.other_ways = other_ways.strip()
    consultation.anonymous = anonymous
    consultation.equalities = equalities
    session.flush()


def has_results(consultation: Consultation) -> bool:
    """Whether "We asked, you said, we did" is public (archiving keeps it public)."""
    return consultation.published_at is not None and consultation.status in (
        ConsultationStatus.PUBLISHED,
        ConsultationStatus.ARCHIVED,
    )


def publish_results(
    session: Session,
    consultation: Consultation,
    *,
    we_asked: str,
    you_said: str,
    we_did: str,
    now: datetime,
) -> None:
    """Publish "We asked, you said, we did"; publishing again edits the text.

    ``published_at`` keeps the date the results first went public.
    """
    if consultation.status not in RESULT_STATES:
        raise SurveyError("Results can only be published once the consultation has closed")
    texts = {"We asked": we_asked, "You said": you_said, "We did": we_did}
    for name, text in texts.items():
        if not text.strip():
            raise SurveyError(f"Enter the ‘{name}’ text")
    consultation.we_asked = we_asked.strip()
    consultation.you_said = you_said.strip()
    consultation.we_did = we_did.strip()
    consultation.status = ConsultationStatus.PUBLISHED
    consultation.published_at = consultation.published_at or now
    session.flush()


def archive(session: Session, consultation: Consultation, *, now: datetime) -> None:
    """Take a finished consultation off the hub's lists; its page and results stay online."""
    if consultation.status not in ARCHIVABLE_STATES:
        raise SurveyError("Only a closed consultation can be archived")
    consultation.status = ConsultationStatus.ARCHIVED
    consultation.archived_at = now
    session.flush()


def copy_consultation(
    session: Session,
    source: Consultation,
    *,
    created_by_id: int | None = None,
    title: str | None = None,
) -> Consultation:
    """A new draft with the source's pages, questions and settings; no responses, no dates.

    Routing refers to pages and questions by id, so routes and show-if conditions are pointed at
    the copies. Each copied question remembers its original (``copied_from_id``), so next year's
    figures can be set beside this year's. Documents and results belong to the original and are
    not copied.
    """
    new_title = title or f"Copy of {source.title}"
    copy = Consultation(
        slug=unique_slug(session, new_title),
        title=new_title[:200],
        summary=source.summary,
        organisation_id=source.organisation_id,
        status=ConsultationStatus.DRAFT,
        created_by_id=created_by_id,
        topic=source.topic,
        localities=list(source.localities),
        other_ways=source.other_ways,
        anonymous=source.anonymous,
        equalities=source.equalities,
    )
    copy.co_owners = list(source.co_owners)
    pages: dict[int, Page] = {}
    for page in source.pages:
        pages[page.id] = Page(position=page.position, title=page.title, intro=page.intro)
        copy.pages.append(pages[page.id])
    questions: dict[int, Question] = {}
    for question in source.questions:
        questions[question.id] = Question(
            page=pages[question.page_id],
            page_position=question.page_position,
            position=question.position,
            type=question.type,
            title=question.title,
            hint=question.hint,
            required=question.required,
            options=[dict(o) for o in question.options],
            settings=_deep_copy(question.settings),
            copied_from_id=question.id,
        )
        copy.questions.append(questions[question.id])
    session.add(copy)
    session.flush()  # the copies need ids before routing can refer to them
    for old_id, new in questions.items():
        old = next(q for q in source.questions if q.id == old_id)
        new.routes = {
            value: target if target == END else pages[int(target)].id
            for value, target in (old.routes or {}).items()
            if target == END or int(target) in pages
        }
        if old.show_if and old.show_if.get("question_id") in questions:
            new.show_if = {
                "question_id": questions[old.show_if["question_id"]].id,
                "values": list(old.show_if.get("values") or []),
            }
    session.flush()
    return copy


def _deep_copy(value: Any) -> Any:
    """JSON values copied, so editing the copy's settings never changes the original's."""
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value
