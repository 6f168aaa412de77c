"""Tables of forum events: the events, people's sign-ups (places and the waiting list), and
per-organisation allocations for partner nominations.

A sign-up keeps what the venue needs to know as codes (``needs``) so the needs summary can count
them without reading anyone's name.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.base import Base, Timestamped
from surveys.models import Consultation, Organisation


class EventKind(enum.StrEnum):
    FORUM = "forum"
    SEMINAR = "seminar"
    WORKSHOP = "workshop"
    DEVELOPMENT = "development"


KIND_LABELS = {
    EventKind.FORUM: "Local Community Planning Forum meeting",
    EventKind.SEMINAR: "Seminar",
    EventKind.WORKSHOP: "Workshop",
    EventKind.DEVELOPMENT: "Development session",
}


class Audience(enum.StrEnum):
    PUBLIC = "public"  # listed; anyone signs up
    PARTNERS = "partners"  # partner staff, nominated by JOG members
    INVITED = "invited"  # not listed; those sent the link sign up


AUDIENCE_LABELS = {
    Audience.PUBLIC: "Open to everyone",
    Audience.PARTNERS: "Partner staff, nominated by their organisation",
    Audience.INVITED: "By invitation",
}

# What a person may ask the venue for, in the order the form asks.
NEEDS = {
    "step_free": "Step-free access",
    "hearing_loop": "A hearing loop",
    "bsl": "A British Sign Language (BSL) interpreter",
    "large_print": "Papers in large print",
    "dietary": "Dietary needs",
    "carer": "A place for a carer or support worker",
    "childcare": "Childcare",
}


class SignupStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    CANCELLED = "cancelled"


class Event(Timestamped, Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    locality: Mapped[str] = mapped_column(String(100), default="", index=True)  # "" = all areas
    venue: Mapped[str] = mapped_column(String(300), default="")  # name and address
    access_info: Mapped[str] = mapped_column(Text, default="")
    online_link: Mapped[str] = mapped_column(String(500), default="")
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    capacity: Mapped[int | None]  # None: no limit
    audience: Mapped[str] = mapped_column(String(20), default=Audience.PUBLIC)
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations.id", ondelete="SET NULL")
    )
    signup_opens_at: Mapped[datetime | None]
    signup_closes_at: Mapped[datetime | None]
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cancelled_at: Mapped[datetime | None]
    cancellation_reason: Mapped[str] = mapped_column(Text, default="")  # shown on its pages
    # Bumped by every change to places; the UPDATE that bumps it also serialises those changes.
    changes: Mapped[int] = mapped_column(default=0)
    reminder_hours: Mapped[int] = mapped_column(default=48)  # before the start; 0: none
    outcomes: Mapped[str] = mapped_column(Text, default="")
    outcomes_published_at: Mapped[datetime | None]
    feedback_consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations.id", ondelete="SET NULL")
    )
    feedback_sent_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    consultation: Mapped[Consultation | None] = relationship(foreign_keys=[consultation_id])
    feedback_consultation: Mapped[Consultation | None] = relationship(
        foreign_keys=[feedback_consultation_id]
    )
    signups: Mapped[list[EventSignup]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventSignup.id"
    )
    allocations: Mapped[list[EventAllocation]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventAllocation.id"
    )

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(EventKind(self.kind), self.kind)

    @property
    def audience_label(self) -> str:
        return AUDIENCE_LABELS.get(Audience(self.audience), self.audience)

    @property
    def confirmed(self) -> list[EventSignup]:
        return [s for s in self.signups if s.status == SignupStatus.CONFIRMED]

    @property
    def waiting(self) -> list[EventSignup]:
        return sorted(
            (s for s in self.signups if s.status == SignupStatus.WAITING),
            key=lambda s: (s.queued_at, s.id),
        )

    @property
    def places_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(0, self.capacity - len(self.confirmed))


class EventSignup(Timestamped, Base):
    """One person's place (or place in the queue) at an event."""

    __tablename__ = "event_signups"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), default="")  # lower-cased
    phone: Mapped[str] = mapped_column(String(40), default="")
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )  # partner staff nominated by their organisation
    locality: Mapped[str] = mapped_column(String(100), default="")
    needs: Mapped[list[Any]] = mapped_column(default=list)  # codes from NEEDS
    needs_detail: Mapped[str] = mapped_column(Text, default="")  # dietary needs, anything else
    check_in_code: Mapped[str] = mapped_column(String(12))
    nominated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    queued_at: Mapped[datetime]  # when they asked; the waiting list's order
    confirmed_at: Mapped[datetime | None]
    promoted_at: Mapped[datetime | None]  # moved up from the waiting list
    cancelled_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    attended_at: Mapped[datetime | None]
    checked_in_by: Mapped[str] = mapped_column(String(20), default="")  # "register" or "code"
    feedback_sent_at: Mapped[datetime | None]
    feedback_draft_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    event: Mapped[Event] = relationship(back_populates="signups")
    organisation: Mapped[Organisation | None] = relationship()

    @property
    def need_labels(self) -> list[str]:
        return [NEEDS[code] for code in self.needs if code in NEEDS]


class EventAllocation(Base):
    """How many places one partner may nominate staff to at a partner event."""

    __tablename__ = "event_allocations"
    __table_args__ = (UniqueConstraint("event_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    places: Mapped[int]

    event: Mapped[Event] = relationship(back_populates="allocations")
    organisation: Mapped[Organisation] = relationship(lazy="joined")
