"""Before and after an event: reminders, the attendance register (ticks or check-in codes), the
feedback survey sent to those who came and only them, and the published outcomes.

Functions take a Session and never commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.events import emails
from engage.events.models import Event, EventSignup, SignupStatus
from surveys import drafts
from surveys import services as surveys
from surveys.models import Channel, Consultation, ConsultationStatus, Draft

FEEDBACK_OPEN_DAYS = 21


class AttendanceError(ValueError):
    """The message says what went wrong, in plain English."""


def check_in(signup: EventSignup, *, now: datetime, how: str) -> None:
    if signup.status != SignupStatus.CONFIRMED:
        raise AttendanceError(
            f"{signup.name} does not have a place (they cancelled or are waiting)."
        )
    if signup.attended_at is None:
        signup.attended_at = now
        signup.checked_in_by = how


def check_in_by_code(session: Session, event: Event, code: str, *, now: datetime) -> EventSignup:
    cleaned = "".join(code.upper().split())
    signup = session.scalar(
        select(EventSignup).where(
            EventSignup.event_id == event.id, EventSignup.check_in_code == cleaned
        )
    )
    if signup is None:
        raise AttendanceError(
            f"No one at this event has the check-in code {cleaned or '(blank)'}. Check the "
            "code, or find them in the register below."
        )
    check_in(signup, now=now, how="code")
    session.flush()
    return signup


def update_register(
    session: Session, event: Event, attended_ids: set[int], *, now: datetime
) -> None:
    """The ticks on the register: ticked people attended, unticked people did not."""
    for signup in event.confirmed:
        if signup.id in attended_ids:
            check_in(signup, now=now, how="register")
        else:
            signup.attended_at = None
            signup.checked_in_by = ""
    session.flush()


def attendees(event: Event) -> list[EventSignup]:
    return [s for s in event.confirmed if s.attended_at is not None]


FEEDBACK_QUESTIONS: list[dict[str, Any]] = [
    {
        "type": "single_choice",
        "title": "Overall, how useful was the event for you?",
        "required": True,
        "options": ["Very useful", "Quite useful", "Not very useful", "Not at all useful"],
    },
    {
        "type": "single_choice",
        "title": "Did the venue meet your access needs?",
        "options": ["Yes", "Partly", "No", "I had no particular needs"],
    },
    {
        "type": "long_text",
        "title": "What worked well?",
        "settings": {"max_length": 1000},
    },
    {
        "type": "long_text",
        "title": "What should we change for next time?",
        "settings": {"max_length": 1000},
    },
]


def create_feedback_survey(
    session: Session, event: Event, *, officer_id: int | None, now: datetime
) -> Consultation:
    """A consultation linked to the event, with standard questions officers can change in the
    survey builder before sending."""
    if event.feedback_consultation is not None:
        return event.feedback_consultation
    survey = surveys.create_consultation(
        session,
        title=f"Feedback: {event.title}"[:200],
        summary=f"Your views on {event.title}, for the people who came.",
        organisation_id=event.organisation_id,
        opens_at=None,
        closes_at=None,
        created_by_id=officer_id,
    )
    survey.personal_links_only = True  # attendees answer from their own links; not on the hub
    for question in FEEDBACK_QUESTIONS:
        surveys.add_question(session, survey, **question)
    event.feedback_consultation = survey
    session.flush()
    return survey


def send_feedback(session: Session, event: Event, *, now: datetime) -> int:
    """Open the feedback survey and email each person who attended their own link.

    Sending again emails only attendees not yet sent it (people ticked in late).
    """
    if event.cancelled_at is not None:
        raise AttendanceError("The event was cancelled, so there is no one to ask for feedback.")
    survey = event.feedback_consultation
    if survey is None:
        raise AttendanceError("Create the feedback survey first.")
    if not survey.questions:
        raise AttendanceError("The feedback survey has no questions. Add some in the builder.")
    came = attendees(event)
    if not came:
        raise AttendanceError("No one is marked as attended, so there is no one to ask yet.")
    if survey.status != ConsultationStatus.OPEN:
        survey.status = ConsultationStatus.OPEN
        survey.opens_at = survey.opens_at or now
        survey.closes_at = survey.closes_at or now + timedelta(days=FEEDBACK_OPEN_DAYS)
    sent = 0
    for signup in came:
        if signup.feedback_sent_at is None and signup.email:
            emails.feedback(session, signup)
            signup.feedback_sent_at = now
            sent += 1
    event.feedback_sent_at = event.feedback_sent_at or now
    session.flush()
    return sent


def open_feedback(session: Session, signup: EventSignup, *, now: datetime) -> Draft | str:
    """Where an attendee's feedback link leads: the draft to resume (the web layer turns it into
    an address), or why not ("unknown", "answered", "closed")."""
    survey = signup.event.feedback_consultation
    if survey is None or signup.attended_at is None or signup.feedback_sent_at is None:
        return "unknown"
    if signup.feedback_draft_token and surveys.find_response(session, signup.feedback_draft_token):
        return "answered"
    if not surveys.is_accepting(survey, now):
        return "closed"
    draft = (
        drafts.get(session, survey, signup.feedback_draft_token)
        if signup.feedback_draft_token
        else None
    )
    if draft is None:
        draft = drafts.start(session, survey, channel=Channel.EVENT, now=now)
        signup.feedback_draft_token = draft.token
        session.flush()
    return draft


def feedback_answered(session: Session, event: Event) -> int:
    return sum(
        1
        for s in event.signups
        if s.feedback_draft_token and surveys.find_response(session, s.feedback_draft_token)
    )


def publish_outcomes(event: Event, text: str, *, now: datetime) -> None:
    event.outcomes = text.strip()
    event.outcomes_published_at = now if event.outcomes else None


def due_reminders(session: Session, *, now: datetime) -> int:
    """What the worker's tick does: remind people with a place, once, before the event."""
    reminded = 0
    events = session.scalars(
        select(Event).where(
            Event.starts_at > now, Event.cancelled_at.is_(None), Event.reminder_hours > 0
        )
    )
    for event in events:
        if event.starts_at - timedelta(hours=event.reminder_hours) > now:
            continue
        for signup in event.confirmed:
            if signup.reminded_at is None and signup.email:
                emails.reminder(session, signup)
                signup.reminded_at = now
                reminded += 1
    session.flush()
    return reminded
