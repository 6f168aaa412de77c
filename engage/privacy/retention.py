"""Retention schedules: what happens to personal data once it is no longer needed.

- A consultation's responses are kept as given for a number of days after it closes (the
  partnership's default, ``ENGAGE_RETENTION_DAYS``, or the officer's choice), then either
  anonymised or deleted (``ENGAGE_RETENTION_ACTION``, or the officer's choice).
- Anonymising keeps every response, so the published counts and themes still add up, and removes
  what could identify someone: email-address answers are deleted; email addresses, phone
  numbers, postcodes, house numbers, web addresses and names given with a clue ("my name is
  ...", "Mrs ...") in free text are masked (``analysis.pii``, the masking quotes get); a bare
  name with no clue can stay, which the officers' page says; the special-category equalities
  answers (gender identity, disability, ethnicity, sexual orientation, religion) are dropped,
  keeping age band, sex, caring and locality for the profile of who took part; the links from a
  response to a panel member's invitation or an event sign-up are cut, saved drafts deleted and
  submission tokens replaced.
- Event sign-ups lose names, contact details, check-in codes and needs a number of days after
  the event (``ENGAGE_EVENT_RETENTION_DAYS``; the sign-up page promises 6 months); the row stays
  with its status, organisation, locality and attendance, so attendance counts still stand.
- Emails sent more than ``SENT_EMAIL_KEEP`` ago are deleted from the outbox.

``apply_due`` is the worker's job (the tick). It takes a Session and never commits; each
consultation and event it changes gets one audit row with the counts, and a second run finds
nothing left to do.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from analysis import pii
from engage.audit.services import record
from engage.db import rows_changed
from engage.events.models import Event, EventSignup
from engage.mail import OutboxEmail
from engage.panel.models import PanelInvitation
from engage.privacy.models import RetentionAction, RetentionSchedule
from surveys.models import (
    Answer,
    Consultation,
    ConsultationStatus,
    Draft,
    EqualitiesAnswers,
    Question,
    Response,
)

ACTION_LABELS = {
    RetentionAction.ANONYMISE: "Anonymise the responses",
    RetentionAction.DELETE: "Delete the responses",
}
# Equalities answers that are special category data (UK GDPR article 9): dropped on anonymising.
SPECIAL_CATEGORY = ("trans", "disability", "ethnicity", "sexual_orientation", "religion")
CLOSED = (ConsultationStatus.CLOSED, ConsultationStatus.PUBLISHED, ConsultationStatus.ARCHIVED)
SENT_EMAIL_KEEP = timedelta(days=90)
FREE_TEXT_TYPES = ("long_text", "short_text")
CONTACT_TYPES = ("email",)


@dataclass(frozen=True)
class Defaults:
    days: int
    action: str
    event_days: int

    @classmethod
    def from_config(cls, config: Any) -> Defaults:
        return cls(
            days=int(config["RETENTION_DAYS"]),
            action=str(config["RETENTION_ACTION"]),
            event_days=int(config["EVENT_RETENTION_DAYS"]),
        )


@dataclass(frozen=True)
class Policy:
    days: int
    action: str
    is_default: bool
    due_at: datetime | None  # None: the consultation has no closing date yet
    applied_at: datetime | None
    applied_action: str | None
    applied_counts: dict[str, Any]

    @property
    def action_label(self) -> str:
        return ACTION_LABELS[RetentionAction(self.action)]


def schedule_of(session: Session, consultation: Consultation) -> RetentionSchedule | None:
    return session.scalar(
        select(RetentionSchedule).where(RetentionSchedule.consultation_id == consultation.id)
    )


def policy(session: Session, consultation: Consultation, defaults: Defaults) -> Policy:
    """What will happen to a consultation's responses, and when (or what happened)."""
    row = schedule_of(session, consultation)
    days = row.days if row and row.days else defaults.days
    action = row.action if row and row.action else defaults.action
    due = consultation.closes_at + timedelta(days=days) if consultation.closes_at else None
    return Policy(
        days=days,
        action=action,
        is_default=not (row and (row.days or row.action)),
        due_at=due,
        applied_at=row.applied_at if row else None,
        applied_action=row.applied_action if row else None,
        applied_counts=dict(row.applied_counts or {}) if row else {},
    )


def set_schedule(
    session: Session, consultation: Consultation, *, days: int, action: str, actor: Any
) -> RetentionSchedule:
    row = schedule_of(session, consultation)
    if row is None:
        row = RetentionSchedule(consultation_id=consultation.id, applied_counts={})
        session.add(row)
    row.days = days
    row.action = RetentionAction(action).value
    row.updated_by_id = getattr(actor, "id", None)
    session.flush()
    return row


def event_due_at(event: Event, defaults: Defaults) -> datetime:
    """When an event's sign-ups lose their names, contact details and needs."""
    return event.ends_at + timedelta(days=defaults.event_days)


# The job ---------------------------------------------------------------------------------------


def apply_due(session: Session, *, now: datetime, defaults: Defaults) -> dict[str, int]:
    """Apply every schedule that has come due; safe to run as often as the tick likes."""
    anonymised = deleted = 0
    for consultation in due_consultations(session, now=now, defaults=defaults):
        action = policy(session, consultation, defaults).action
        if action == RetentionAction.DELETE:
            counts = delete_responses(session, consultation)
            deleted += 1
        else:
            counts = anonymise_responses(session, consultation)
            anonymised += 1
        row = schedule_of(session, consultation)
        if row is None:
            row = RetentionSchedule(consultation_id=consultation.id)
            session.add(row)
        row.applied_at = now
        row.applied_action = action
        row.applied_counts = counts
        record(
            session,
            action="retention.deleted"
            if action == RetentionAction.DELETE
            else "retention.anonymised",
            target_type="consultation",
            target_id=consultation.id,
            detail=counts,
        )
    events = clear_event_signups(session, now=now, defaults=defaults)
    emails = purge_sent_emails(session, now=now)
    session.flush()
    return {
        "retention_anonymised": anonymised,
        "retention_deleted": deleted,
        "retention_events": events,
        "retention_emails": emails,
    }


def due_consultations(session: Session, *, now: datetime, defaults: Defaults) -> list[Consultation]:
    candidates = session.scalars(
        select(Consultation)
        .outerjoin(RetentionSchedule, RetentionSchedule.consultation_id == Consultation.id)
        .where(
            Consultation.status.in_([s.value for s in CLOSED]),
            Consultation.closes_at.is_not(None),
            Consultation.closes_at <= now,
            RetentionSchedule.applied_at.is_(None),
        )
        .order_by(Consultation.id)
    ).all()
    return [
        c
        for c in candidates
        if (due := policy(session, c, defaults).due_at) is not None and due <= now
    ]


def _unlink(session: Session, consultation: Consultation) -> dict[str, int]:
    """Cut what ties the consultation's responses to a person, and drop saved drafts."""
    response_ids = select(Response.id).where(Response.consultation_id == consultation.id)
    tokens = select(Response.submission_token).where(Response.consultation_id == consultation.id)
    invitations = rows_changed(
        session,
        update(PanelInvitation)
        .where(PanelInvitation.response_id.in_(response_ids))
        .values(response_id=None, draft_token=None),
    )
    session.execute(
        update(EventSignup)
        .where(EventSignup.feedback_draft_token.in_(tokens))
        .values(feedback_draft_token=None)
    )
    drafts = rows_changed(session, delete(Draft).where(Draft.consultation_id == consultation.id))
    return {"panel_links_cut": invitations, "drafts_deleted": drafts}


def anonymise_responses(session: Session, consultation: Consultation) -> dict[str, int]:
    counts = _unlink(session, consultation)
    questions = session.scalars(
        select(Question).where(Question.consultation_id == consultation.id)
    ).all()
    contact_ids = [q.id for q in questions if q.type in CONTACT_TYPES]
    text_ids = [q.id for q in questions if q.type not in CONTACT_TYPES]
    response_ids = select(Response.id).where(Response.consultation_id == consultation.id)
    removed = 0
    if contact_ids:
        removed = rows_changed(
            session,
            delete(Answer).where(
                Answer.response_id.in_(response_ids), Answer.question_id.in_(contact_ids)
            ),
        )
    masked = 0
    if text_ids:
        answers = session.scalars(
            select(Answer).where(
                Answer.response_id.in_(response_ids),
                Answer.question_id.in_(text_ids),
                Answer.text.is_not(None),
                Answer.text != "",
            )
        ).all()
        for answer in answers:
            clean = pii.mask(answer.text or "").text
            if clean != answer.text:
                if answer.value == answer.text:
                    answer.value = clean
                answer.text = clean
                masked += 1
    equalities = rows_changed(
        session,
        update(EqualitiesAnswers)
        .where(
            EqualitiesAnswers.consultation_id == consultation.id,
            or_(*(getattr(EqualitiesAnswers, c).is_not(None) for c in SPECIAL_CATEGORY)),
        )
        .values(dict.fromkeys(SPECIAL_CATEGORY)),
    )
    responses = session.scalars(
        select(Response).where(Response.consultation_id == consultation.id)
    ).all()
    for response in responses:
        response.submission_token = secrets.token_urlsafe(24)
    session.flush()
    return {
        "responses_kept": len(responses),
        "contact_answers_deleted": removed,
        "free_text_answers_masked": masked,
        "equalities_answers_reduced": equalities,
        **counts,
    }


def delete_responses(session: Session, consultation: Consultation) -> dict[str, int]:
    counts = _unlink(session, consultation)
    response_ids = select(Response.id).where(Response.consultation_id == consultation.id)
    session.execute(delete(Answer).where(Answer.response_id.in_(response_ids)))
    session.execute(
        delete(EqualitiesAnswers).where(EqualitiesAnswers.consultation_id == consultation.id)
    )
    gone = rows_changed(
        session, delete(Response).where(Response.consultation_id == consultation.id)
    )
    session.expire_all()
    return {"responses_deleted": gone, **counts}


def _holds_details() -> Any:
    return or_(
        EventSignup.name != "",
        EventSignup.email != "",
        EventSignup.phone != "",
        EventSignup.needs_detail != "",
        EventSignup.check_in_code != "",
        EventSignup.feedback_draft_token.is_not(None),
    )


def clear_signup(signup: EventSignup) -> None:
    """Remove a sign-up's personal details; keep what the attendance counts need."""
    signup.name = ""
    signup.email = ""
    signup.phone = ""
    signup.needs = []
    signup.needs_detail = ""
    signup.check_in_code = ""
    signup.feedback_draft_token = None
    signup.nominated_by_id = None


def clear_event_signups(session: Session, *, now: datetime, defaults: Defaults) -> int:
    """Events whose sign-ups' personal details were removed in this run."""
    cutoff = now - timedelta(days=defaults.event_days)
    events = session.scalars(
        select(Event)
        .where(Event.ends_at <= cutoff, Event.signups.any(_holds_details()))
        .order_by(Event.id)
    ).all()
    for event in events:
        signups = session.scalars(
            select(EventSignup).where(EventSignup.event_id == event.id, _holds_details())
        ).all()
        for signup in signups:
            clear_signup(signup)
        record(
            session,
            action="retention.event_signups",
            target_type="event",
            target_id=event.id,
            detail={
                "sign_ups_cleared": len(signups),
                "attended": sum(1 for s in event.signups if s.attended_at is not None),
            },
        )
    return len(events)


def purge_sent_emails(session: Session, *, now: datetime) -> int:
    return rows_changed(
        session,
        delete(OutboxEmail).where(
            OutboxEmail.sent_at.is_not(None), OutboxEmail.sent_at < now - SENT_EMAIL_KEEP
        ),
    )


def count_held(session: Session, consultation: Consultation) -> int:
    return int(
        session.scalar(
            select(func.count(Response.id)).where(Response.consultation_id == consultation.id)
        )
        or 0
    )
