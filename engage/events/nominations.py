"""Partner nominations: each partner's allocation of places at an event, and the JOG members
who nominate their staff to fill them. Takes a Session and never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engage.events.models import (
    Audience,
    Event,
    EventAllocation,
    EventSignup,
    SignupStatus,
)
from engage.events.services import Details, EventError, lock_event, sign_up, signup_state


def allocation(event: Event, organisation_id: int) -> int | None:
    """The places a partner may nominate to, or None when the officer set no limit."""
    for item in event.allocations:
        if item.organisation_id == organisation_id:
            return item.places
    return None


def nominated_count(session: Session, event_id: int, organisation_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                EventSignup.event_id == event_id,
                EventSignup.organisation_id == organisation_id,
                EventSignup.status != SignupStatus.CANCELLED,
            )
        )
        or 0
    )


def nominate(
    session: Session,
    event: Event,
    details: Details,
    *,
    organisation_id: int,
    organisation_name: str,
    nominated_by_id: int,
    now: datetime,
) -> EventSignup:
    if event.audience != Audience.PARTNERS:
        raise EventError("Only partner events take nominations.")
    lock_event(session, event.id)
    limit = allocation(event, organisation_id)
    if limit is not None and nominated_count(session, event.id, organisation_id) >= limit:
        raise EventError(
            f"Your organisation has used all {limit} of its places. Cancel a nomination to "
            "nominate someone else."
        )
    details.organisation_name = organisation_name
    return sign_up(
        session,
        event,
        details,
        now=now,
        organisation_id=organisation_id,
        nominated_by_id=nominated_by_id,
    )


def set_allocations(session: Session, event: Event, places: dict[int, int | None]) -> None:
    """Places per organisation id; None removes that partner's limit."""
    existing = {item.organisation_id: item for item in event.allocations}
    for organisation_id, count in places.items():
        item = existing.get(organisation_id)
        if count is None:
            if item is not None:
                event.allocations.remove(item)
        elif item is None:
            event.allocations.append(EventAllocation(organisation_id=organisation_id, places=count))
        else:
            item.places = count
    session.flush()


def open_for_nomination(session: Session, *, now: datetime) -> list[Event]:
    """Partner events whose nominations are open now, soonest first."""
    events = session.scalars(
        select(Event)
        .where(
            Event.audience == Audience.PARTNERS,
            Event.cancelled_at.is_(None),
            Event.starts_at > now,
        )
        .order_by(Event.starts_at)
    )
    return [e for e in events if signup_state(e, now) == "open"]
