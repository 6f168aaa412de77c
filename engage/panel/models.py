"""Tables of the Residents' Panel: members, exercises, their invitations, and newsletters.

A member's contact details (name, email, phone, address) are kept apart in name from the
profile codes used for balance (age band, sex, locality ...), so the retention job can blank
the first and keep the second as anonymous history.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.base import Base, Timestamped
from surveys.models import Consultation


class MemberStatus(enum.StrEnum):
    PENDING = "pending"  # signed up online, email not confirmed yet
    ACTIVE = "active"
    LEFT = "left"  # left the panel themselves
    RETIRED = "retired"  # their term ended
    REMOVED = "removed"  # contact details removed by the retention job


STATUS_LABELS = {
    MemberStatus.PENDING: "Waiting for email confirmation",
    MemberStatus.ACTIVE: "Active",
    MemberStatus.LEFT: "Left the panel",
    MemberStatus.RETIRED: "Term ended",
    MemberStatus.REMOVED: "Contact details removed",
}
FORMER = (MemberStatus.LEFT, MemberStatus.RETIRED)


class PanelMember(Timestamped, Base):
    __tablename__ = "panel_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default=MemberStatus.PENDING, index=True)
    # Contact details: blanked by the retention job once a former member's period has passed.
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320), index=True)  # lower-cased
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")  # upper-case, one space
    # Profile codes for balance and sampling: surveys.equalities values, by question key.
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Contact preferences.
    contact_by: Mapped[str] = mapped_column(String(10), default="email")  # "email" or "post"
    newsletters: Mapped[bool] = mapped_column(default=True)
    # Consent: what they agreed to, when, and how (online or a signed paper form).
    consent_version: Mapped[str] = mapped_column(String(20))
    consented_at: Mapped[datetime]
    joined_via: Mapped[str] = mapped_column(String(20), default="online")  # online or paper
    recruitment_wave: Mapped[str] = mapped_column(String(100), default="")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Single-use secrets sent by email; only their hashes are kept.
    confirm_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    sign_in_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    sign_in_expires_at: Mapped[datetime | None]
    # Raised on leaving or erasure so a member's open browser session ends.
    session_version: Mapped[int] = mapped_column(default=1)
    confirmed_at: Mapped[datetime | None]
    term_ends_at: Mapped[datetime | None] = mapped_column(index=True)
    left_at: Mapped[datetime | None] = mapped_column(index=True)
    bounced_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]  # stopped all panel email

    invitations: Mapped[list[PanelInvitation]] = relationship(
        back_populates="member", cascade="all, delete-orphan", order_by="PanelInvitation.id"
    )

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(MemberStatus(self.status), self.status)

    @property
    def emailable(self) -> bool:
        """Whether Engage may email them about the panel at all."""
        return bool(
            self.email
            and self.contact_by == "email"
            and self.bounced_at is None
            and self.unsubscribed_at is None
        )


class ExerciseStatus(enum.StrEnum):
    PLANNED = "planned"
    SENT = "sent"


class PanelExercise(Timestamped, Base):
    """One of the year's consultations sent to the panel (or a sample of it)."""

    __tablename__ = "panel_exercises"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=ExerciseStatus.PLANNED)
    send_on: Mapped[datetime | None] = mapped_column(index=True)  # the plan's date; None: by hand
    sample_size: Mapped[int | None]  # None: the whole panel
    strata: Mapped[list[Any]] = mapped_column(default=list)  # profile keys, e.g. ["locality"]
    reminder_days: Mapped[list[Any]] = mapped_column(default=list)  # days after sending, e.g. [7]
    reminders_sent: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    consultation: Mapped[Consultation] = relationship(lazy="joined")
    invitations: Mapped[list[PanelInvitation]] = relationship(
        back_populates="exercise", cascade="all, delete-orphan", order_by="PanelInvitation.id"
    )


class PanelInvitation(Base):
    """A member's unique link to an exercise's survey: answers once, for this exercise only."""

    __tablename__ = "panel_invitations"
    __table_args__ = (UniqueConstraint("exercise_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(
        ForeignKey("panel_exercises.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("panel_members.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The survey draft the link opened, then the response it became.
    draft_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("responses.id", ondelete="SET NULL"), unique=True
    )
    invited_at: Mapped[datetime | None]
    reminders: Mapped[int] = mapped_column(default=0)
    last_reminded_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]

    exercise: Mapped[PanelExercise] = relationship(back_populates="invitations")
    member: Mapped[PanelMember] = relationship(back_populates="invitations")


class PanelNewsletter(Timestamped, Base):
    """A newsletter to the panel, readable on the web once sent."""

    __tablename__ = "panel_newsletters"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    # [{"heading": ..., "body": ..., "consultation_id": int | None}]
    sections: Mapped[list[Any]] = mapped_column(default=list)
    locality: Mapped[str] = mapped_column(String(100), default="")  # "" = the whole panel
    # Set when the newsletter carries a consultation's "We asked, you said, we did": one such
    # newsletter per consultation, so its summary reaches the panel once.
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations.id", ondelete="SET NULL"), index=True
    )
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    recipients: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
