"""Events and places: creating events, signing up, the waiting list, cancelling and nominating.

Functions take a Session and never commit. Every change to who holds a place starts with
``lock_event``: an UPDATE of the event's row, which PostgreSQL holds as a row lock and SQLite as
its one write lock until the caller commits. The count of confirmed places is read after that
UPDATE, so two sign-ups for the last place are decided one after the other, never together.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engage.dates import UK
from engage.events.models import (
    NEEDS,
    Audience,
    Event,
    EventSignup,
    SignupStatus,
)

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^[0-9+() -]{6,20}$")
CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread at the door


class EventError(ValueError):
    """Something that cannot be done as asked; the message says why, in plain English."""


# Sign-up details ------------------------------------------------------------------------------


@dataclass
class Details:
    """A person's details and needs, as the sign-up form (web/events/forms.py) checked them."""

    name: str = ""
    email: str = ""
    phone: str = ""
    organisation_name: str = ""
    locality: str = ""
    needs: list[str] = field(default_factory=list)
    needs_detail: str = ""

    @classmethod
    def of(cls, signup: EventSignup) -> Details:
        return cls(
            name=signup.name,
            email=signup.email,
            phone=signup.phone,
            organisation_name=signup.organisation_name,
            locality=signup.locality,
            needs=list(signup.needs),
            needs_detail=signup.needs_detail,
        )

    def apply(self, signup: EventSignup) -> None:
        signup.name = self.name
        signup.email = self.email.lower()
        signup.phone = self.phone
        signup.organisation_name = self.organisation_name
        signup.locality = self.locality
        signup.needs = [code for code in NEEDS if code in self.needs]
        signup.needs_detail = self.needs_detail


# Tokens -----------------------------------------------------------------------------------------


def _digest(purpose: str, signup_id: int) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    mac = hmac.new(secret, f"event-{purpose}:{signup_id}".encode(), hashlib.sha256)
    return mac.hexdigest()[:40]


def manage_token(signup: EventSignup) -> str:
    """The secret in a person's link to see, change or cancel their place: no login needed.

    Derived from the app's secret key, so emails can repeat it and nobody can make one.
    """
    return f"{signup.id}-{_digest('manage', signup.id)}"


def feedback_token(signup: EventSignup) -> str:
    return f"{signup.id}-{_digest('feedback', signup.id)}"


def _by_token(session: Session, token: str, purpose: str) -> EventSignup | None:
    number, _, digest = token.partition("-")
    plain = number.isascii() and number.isdecimal() and len(number) <= 12  # fits the id column
    expected = _digest(purpose, int(number)) if plain else ""
    if not expected or not hmac.compare_digest(digest.encode(), expected.encode()):
        return None
    return session.get(EventSignup, int(number))


def signup_by_token(session: Session, token: str) -> EventSignup | None:
    return _by_token(session, token, "manage")


def signup_by_feedback_token(session: Session, token: str) -> EventSignup | None:
    return _by_token(session, token, "feedback")


def new_check_in_code() -> str:
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(6))


# Sign-up windows ------------------------------------------------------------------------------


def signup_state(event: Event, now: datetime) -> str:
    """ "open", "not_yet", "closed" (the window or the event has passed) or "cancelled"."""
    if event.cancelled_at is not None:
        return "cancelled"
    if event.signup_opens_at and now < event.signup_opens_at:
        return "not_yet"
    if (event.signup_closes_at and now >= event.signup_closes_at) or now >= event.starts_at:
        return "closed"
    return "open"


# Places ---------------------------------------------------------------------------------------


def lock_event(session: Session, event_id: int) -> None:
    """Take the event's row for this transaction (see the module's docstring)."""
    session.execute(
        update(Event)
        .where(Event.id == event_id)
        .values(changes=Event.changes + 1)
        .execution_options(synchronize_session=False)
    )


def confirmed_count(session: Session, event_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                EventSignup.event_id == event_id, EventSignup.status == SignupStatus.CONFIRMED
            )
        )
        or 0
    )


def _has_room(session: Session, event: Event) -> bool:
    return event.capacity is None or confirmed_count(session, event.id) < event.capacity


def sign_up(
    session: Session,
    event: Event,
    details: Details,
    *,
    now: datetime,
    organisation_id: int | None = None,
    nominated_by_id: int | None = None,
) -> EventSignup:
    """A place if one is left, otherwise a place on the waiting list.

    Refused (EventError) when the event was cancelled before this request held the lock: the
    cancellation has already told everyone signed up, and would not tell this person.
    """
    lock_event(session, event.id)
    if session.scalar(select(Event.cancelled_at).where(Event.id == event.id)) is not None:
        raise EventError("This event has been cancelled, so it takes no more sign-ups.")
    status = SignupStatus.CONFIRMED if _has_room(session, event) else SignupStatus.WAITING
    signup = EventSignup(
        event_id=event.id,
        status=status,
        check_in_code=new_check_in_code(),
        queued_at=now,
        confirmed_at=now if status == SignupStatus.CONFIRMED else None,
        organisation_id=organisation_id,
        nominated_by_id=nominated_by_id,
    )
    details.apply(signup)
    session.add(signup)
    session.flush()
    return signup


def waiting_position(session: Session, signup: EventSignup) -> int:
    """1 for the next person to get a place."""
    if signup.status != SignupStatus.WAITING:
        return 0
    ahead = session.scalar(
        select(func.count()).where(
            EventSignup.event_id == signup.event_id,
            EventSignup.status == SignupStatus.WAITING,
            (EventSignup.queued_at < signup.queued_at)
            | ((EventSignup.queued_at == signup.queued_at) & (EventSignup.id < signup.id)),
        )
    )
    return (ahead or 0) + 1


def cancel(session: Session, signup: EventSignup, *, now: datetime) -> list[EventSignup]:
    """Give up a place (or leave the waiting list); returns who was promoted into it."""
    if signup.status == SignupStatus.CANCELLED:
        return []
    lock_event(session, signup.event_id)
    session.refresh(signup)  # another request may have changed it before the lock
    if signup.status == SignupStatus.CANCELLED:
        return []
    signup.status = SignupStatus.CANCELLED
    signup.cancelled_at = now
    session.flush()
    return promote(session, signup.event, now=now)


def promote(session: Session, event: Event, *, now: datetime) -> list[EventSignup]:
    """Fill free places from the front of the waiting list. The caller holds the lock.

    A cancelled event has no places to give, so no one is told one has come up.
    """
    promoted: list[EventSignup] = []
    if event.cancelled_at is not None:
        return promoted
    while _has_room(session, event):
        first = session.scalar(
            select(EventSignup)
            .where(EventSignup.event_id == event.id, EventSignup.status == SignupStatus.WAITING)
            .order_by(EventSignup.queued_at, EventSignup.id)
            .limit(1)
        )
        if first is None:
            break
        first.status = SignupStatus.CONFIRMED
        first.confirmed_at = first.promoted_at = now
        session.flush()
        promoted.append(first)
    return promoted


def change_capacity(
    session: Session, event: Event, capacity: int | None, *, now: datetime
) -> list[EventSignup]:
    """A bigger room promotes people from the waiting list; a smaller one takes no place away."""
    lock_event(session, event.id)
    event.capacity = capacity
    session.flush()
    return promote(session, event, now=now)


# Cancelling the event ---------------------------------------------------------------------------

MAX_REASON = 1000


def check_reason(reason: str) -> str:
    """What is wrong with a cancellation reason as typed, or "" when it will do."""
    if not reason:
        return "Enter why the event is cancelled, so the people coming know"
    if len(reason) > MAX_REASON:
        return f"The reason must be {MAX_REASON:,} characters or fewer"
    return ""


def to_tell(event: Event) -> list[EventSignup]:
    """Everyone still expecting to come, or hoping to: places, the waiting list, nominations."""
    return [
        s
        for s in event.signups
        if s.status in (SignupStatus.CONFIRMED, SignupStatus.WAITING) and s.email
    ]


def cancel_event(
    session: Session, event: Event, reason: str, *, now: datetime
) -> list[EventSignup] | None:
    """Cancel the whole event: sign-up closes and no reminder or feedback survey goes out.

    Returns the people to tell, or None when the event was already cancelled (by another
    request, say), so a second click emails no one twice. The lock's bump of ``changes`` gives
    the cancelling calendar file a higher SEQUENCE than any file sent before it.
    """
    if check_reason(reason):
        raise EventError(check_reason(reason))
    lock_event(session, event.id)
    session.expire(event)  # read it, and its sign-ups, as they are now we hold the lock
    if event.cancelled_at is not None:
        return None
    event.cancelled_at = now
    event.cancellation_reason = reason
    session.flush()
    return to_tell(event)


# Listing --------------------------------------------------------------------------------------


def upcoming(
    session: Session, *, now: datetime, locality: str = "", kind: str = "", cancelled: bool = False
) -> list[Event]:
    """Events the public may see: open to everyone and not yet ended; either those going ahead
    or (``cancelled``) those called off, which the listing names rather than hides."""
    stmt = select(Event).where(
        Event.audience == Audience.PUBLIC,
        Event.ends_at > now,
        Event.cancelled_at.is_not(None) if cancelled else Event.cancelled_at.is_(None),
    )
    if locality:
        stmt = stmt.where(Event.locality.in_([locality, ""]))
    if kind:
        stmt = stmt.where(Event.kind == kind)
    return list(session.scalars(stmt.order_by(Event.starts_at)))


def past_with_outcomes(session: Session, *, now: datetime) -> list[Event]:
    return list(
        session.scalars(
            select(Event)
            .where(Event.audience == Audience.PUBLIC, Event.ends_at <= now)
            .where(Event.outcomes_published_at.is_not(None))
            .order_by(Event.starts_at.desc())
            .limit(10)
        )
    )


def event_time(event: Event) -> str:
    """Tuesday 3 March 2027, 6:30pm to 8pm, in UK time."""

    start, end = event.starts_at.astimezone(UK), event.ends_at.astimezone(UK)

    def clock(value: datetime) -> str:
        hour = value.hour % 12 or 12
        minutes = f":{value:%M}" if value.minute else ""
        return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"

    day = f"{start:%A} {start.day} {start:%B %Y}"
    if end.date() != start.date():
        return f"{day}, {clock(start)} to {end:%A} {end.day} {end:%B %Y}, {clock(end)}"
    return f"{day}, {clock(start)} to {clock(end)}"


EVENT_FIELDS = (
    "kind",
    "title",
    "description",
    "agenda",
    "locality",
    "venue",
    "access_info",
    "online_link",
    "starts_at",
    "ends_at",
    "audience",
    "consultation_id",
    "signup_opens_at",
    "signup_closes_at",
    "reminder_hours",
)


def create_event(
    session: Session, fields: dict[str, Any], *, organisation_id: int, officer_id: int | None
) -> Event:
    event = Event(
        organisation_id=organisation_id,
        created_by_id=officer_id,
        capacity=fields.get("capacity"),
        **{name: fields[name] for name in EVENT_FIELDS if name in fields},
    )
    session.add(event)
    session.flush()
    return event


def update_event(
    session: Session, event: Event, fields: dict[str, Any], *, now: datetime
) -> list[EventSignup]:
    """Change an event; a bigger capacity promotes people from the waiting list (returned)."""
    for name in EVENT_FIELDS:
        if name in fields:
            setattr(event, name, fields[name])
    return change_capacity(session, event, fields.get("capacity"), now=now)
