"""Tables of the questionnaire engine: partners, consultations, questions, responses."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.base import Base, Timestamped


class OrganisationKind(enum.StrEnum):
    COUNCIL = "council"
    NHS_BOARD = "nhs_board"
    POLICE = "police"
    FIRE_RESCUE = "fire_rescue"
    COLLEGE = "college"
    THIRD_SECTOR = "third_sector"


ORGANISATION_KIND_LABELS = {
    OrganisationKind.COUNCIL: "Council",
    OrganisationKind.NHS_BOARD: "NHS board",
    OrganisationKind.POLICE: "Police",
    OrganisationKind.FIRE_RESCUE: "Fire and rescue",
    OrganisationKind.COLLEGE: "College",
    OrganisationKind.THIRD_SECTOR: "Third sector interface",
}


class Organisation(Base):
    """A partner in the Community Planning Partnership."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))


class ConsultationStatus(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


consultation_co_owners = Table(
    "consultation_co_owners",
    Base.metadata,
    Column("consultation_id", ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
)


class Consultation(Timestamped, Base):
    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ConsultationStatus.DRAFT)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    co_owners: Mapped[list[Organisation]] = relationship(secondary=consultation_co_owners)
    questions: Mapped[list[Question]] = relationship(
        back_populates="consultation", order_by="Question.position", cascade="all, delete-orphan"
    )

    def owner_ids(self) -> set[int]:
        return {self.organisation_id, *(o.id for o in self.co_owners)}


class Question(Base):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(Text)
    hint: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(default=False)
    # Choices as [{"value": "...", "label": "..."}]; values stay stable when labels are edited.
    options: Mapped[list[Any]] = mapped_column(default=list)
    # Per-type settings such as max_choices or max_length.
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)

    consultation: Mapped[Consultation] = relationship(back_populates="questions")

    @property
    def field_name(self) -> str:
        return f"q{self.id}"

    def option_label(self, value: str) -> str:
        for option in self.options:
            if option["value"] == value:
                return str(option["label"])
        return value


class Channel(enum.StrEnum):
    ONLINE = "online"
    PAPER = "paper"
    EVENT = "event"


class Response(Base):
    """One person's submitted answers. Anonymous: no account, IP address or user agent is kept."""

    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20), default=Channel.ONLINE)
    # One token per rendered form: a second submit of the same form finds the first response.
    submission_token: Mapped[str] = mapped_column(String(64), unique=True)
    submitted_at: Mapped[datetime] = mapped_column()

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    # The typed value as JSON: a choice value, a list of values, or text.
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    # Free text is also kept as plain text so it can be read for analysis without decoding JSON.
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")
