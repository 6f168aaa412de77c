"""The events' emails: confirmation (with the calendar file), a place from the waiting list,
reminders, feedback invitations, and the event's cancellation (with a calendar file that removes
it). Plain text and HTML, queued in the outbox like the panel's.

Links are absolute: from the request when a page queues the email, from ``ENGAGE_BASE_URL``
when the worker does (reminders).
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.accounts.models import User
from engage.events import ics, services
from engage.events.models import EventSignup, SignupStatus
from engage.mail import queue_email
from engage.panel.emails import Email, external


def when(signup: EventSignup) -> str:
    return services.event_time(signup.event)


def _calendar(signup: EventSignup, url: str) -> tuple[str, str, bytes]:
    event = signup.event
    data = ics.calendar(
        event,
        domain=ics.uid_domain(),
        url=url,
        partnership=current_app.config["PARTNERSHIP_NAME"],
        organizer=current_app.config["MAIL_FROM"],
        attendee=(signup.email, signup.name),
    )
    return ics.filename(event), ics.content_type(event), data


def _send(session: Session, signup: EventSignup, email: Email, *, calendar: bool = False) -> None:
    attachments = [_calendar(signup, email.link)] if calendar else None
    queue_email(
        session,
        to=signup.email,
        subject=email.subject,
        body=email.text(),
        html=email.html(),
        attachments=attachments,
    )


def _facts(signup: EventSignup) -> list[str]:
    event = signup.event
    lines = [f"When: {when(signup)}", f"Where: {ics.location(event)}"]
    if event.access_info:
        lines.append(f"Access: {event.access_info}")
    if signup.need_labels:
        lines.append("You asked for: " + ", ".join(signup.need_labels).lower())
    return lines


def manage_link(signup: EventSignup) -> str:
    return external("events.booking", token=services.manage_token(signup))


def confirmation(session: Session, signup: EventSignup, position: int = 0) -> None:
    event = signup.event
    if signup.status == SignupStatus.CONFIRMED:
        subject = f"Your place at {event.title}"
        opening = f"You have a place at {event.title}."
        after = [
            f"Your check-in code is {signup.check_in_code}. Show it or say it at the door.",
            "The calendar file attached adds the event to your calendar.",
        ]
    else:
        subject = f"You are on the waiting list for {event.title}"
        opening = (
            f"{event.title} is full, so you are number {position} on the waiting list. If a place "
            "comes free we will give it to you and email you straight away."
        )
        after = []
    _send(
        session,
        signup,
        Email(
            subject=subject,
            greeting=f"Dear {signup.name},",
            paragraphs=[opening, "\n".join(_facts(signup))],
            link_text="To change your details or what you need, or to cancel, use this link",
            link=manage_link(signup),
            after=after,
        ),
        calendar=signup.status == SignupStatus.CONFIRMED,
    )


def promoted(session: Session, signup: EventSignup) -> None:
    event = signup.event
    _send(
        session,
        signup,
        Email(
            subject=f"A place has come up: you can come to {event.title}",
            greeting=f"Dear {signup.name},",
            paragraphs=[
                f"Good news: a place has come free at {event.title} and it is yours. "
                "You do not need to do anything to keep it.",
                "\n".join(_facts(signup)),
            ],
            link_text="If you can no longer come, please cancel so someone else can have it",
            link=manage_link(signup),
            after=[
                f"Your check-in code is {signup.check_in_code}. Show it or say it at the door.",
                "The calendar file attached adds the event to your calendar.",
            ],
        ),
        calendar=True,
    )


def cancelled(session: Session, signup: EventSignup) -> None:
    _send(
        session,
        signup,
        Email(
            subject=f"You have cancelled your place at {signup.event.title}",
            greeting=f"Dear {signup.name},",
            paragraphs=[
                f"You have cancelled your place at {signup.event.title}. Thank you for "
                "letting us know: someone on the waiting list can have it now."
            ],
            link_text="See the event",
            link=external("events.event", event_id=signup.event_id),
        ),
    )


def reminder(session: Session, signup: EventSignup) -> None:
    _send(
        session,
        signup,
        Email(
            subject=f"Reminder: {signup.event.title}, {when(signup)}",
            greeting=f"Dear {signup.name},",
            paragraphs=[
                f"A reminder that you have a place at {signup.event.title}.",
                "\n".join(_facts(signup)),
            ],
            link_text="If you can no longer come, please cancel so someone else can have it",
            link=manage_link(signup),
            after=[f"Your check-in code is {signup.check_in_code}."],
        ),
        calendar=True,
    )


def feedback(session: Session, signup: EventSignup) -> None:
    _send(
        session,
        signup,
        Email(
            subject=f"How was {signup.event.title}? Tell us in a short survey",
            greeting=f"Dear {signup.name},",
            paragraphs=[
                f"Thank you for coming to {signup.event.title}. Please tell us what worked and "
                "what we should change: it takes about 3 minutes.",
            ],
            link_text="Your own link to the feedback survey (please do not share it)",
            link=external("events.feedback", token=services.feedback_token(signup)),
        ),
    )


def event_cancelled(session: Session, signup: EventSignup) -> None:
    """The whole event is off: say why, and send the file that takes it out of calendars."""
    event = signup.event
    waiting = signup.status == SignupStatus.WAITING
    held = "your place on the waiting list" if waiting else "your place"
    _send(
        session,
        signup,
        Email(
            subject=f"Cancelled: {event.title}, {when(signup)}",
            greeting=f"Dear {signup.name},",
            paragraphs=[
                f"We are sorry: {event.title} on {when(signup)} has been cancelled, so "
                f"{held} no longer stands. You do not need to do anything.",
                f"Why: {event.cancellation_reason}",
            ],
            link_text="See the event's page, where we will say if it is rearranged",
            link=external("events.event", event_id=event.id),
            after=[
                "If you added the event to your calendar, the calendar file attached removes it."
            ],
        ),
        calendar=True,
    )


def nominators(session: Session, told: list[EventSignup]) -> list[tuple[User, list[EventSignup]]]:
    """The JOG members who nominated some of `told`, each with their nominees; only those we
    can still email (an account that has gone or is disabled is left out)."""
    nominees: dict[int, list[EventSignup]] = {}
    for signup in told:
        if signup.nominated_by_id is not None:
            nominees.setdefault(signup.nominated_by_id, []).append(signup)
    if not nominees:
        return []
    users = session.scalars(
        select(User).where(User.id.in_(nominees), User.active.is_(True)).order_by(User.id)
    )
    return [(user, nominees[user.id]) for user in users]


def nominators_told(session: Session, told: list[EventSignup]) -> int:
    """Tell each JOG member who nominated someone that the event is off and that we told them.

    One email per nominator, naming their nominees; returns how many were sent.
    """
    found = nominators(session, told)
    for user, people in found:
        event = people[0].event
        names = ", ".join(person.name for person in people)
        Email(
            subject=f"Cancelled: {event.title}, {when(people[0])}",
            greeting=f"Dear {user.name or user.email},",
            paragraphs=[
                f"{event.title} on {when(people[0])} has been cancelled. You nominated "
                f"{names}, and we have told {'each of them' if len(people) > 1 else 'them'} "
                "by email.",
                f"Why: {event.cancellation_reason}",
            ],
            link_text="See the event's page, where we will say if it is rearranged",
            link=external("events.event", event_id=event.id),
        ).queue(session, user.email)
    return len(found)
