"""Tables of the questionnaire engine: partners, consultations, questions, responses."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.base import Base, Timestamped, utcnow


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
    PUBLISHED = "published"  # closed, with "We asked, you said, we did" published
    ARCHIVED = "archived"  # off the hub's lists, still reachable by its address


# Topics a consultation can be filed under on the hub: the themes of a typical LOIP.
TOPICS = {
    "community-plan": "Community Plan and LOIP",
    "health": "Health and wellbeing",
    "safety": "Community safety",
    "children": "Children and young people",
    "economy": "Jobs, skills and the economy",
    "poverty": "Poverty and the cost of living",
    "transport": "Transport and getting about",
    "housing": "Housing",
    "environment": "Environment and climate",
    "partnership": "How the partnership works",
}


consultation_co_owners = Table(
    "consultation_co_owners",
    Base.metadata,
    Column("consultation_id", ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
)


def new_survey_version() -> str:
    return secrets.token_hex(16)


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
    topic: Mapped[str] = mapped_column(String(40), default="")
    # Locality names the consultation is about; empty means the whole partnership area.
    localities: Mapped[list[Any]] = mapped_column(default=list)
    # How to respond on paper or at an event, shown on the hub page.
    other_ways: Mapped[str] = mapped_column(Text, default="")
    # Anonymous consultations ask for nothing that identifies a person and export nothing that does.
    anonymous: Mapped[bool] = mapped_column(default=True)
    # Ask the standard equalities monitoring questions after the last page.
    equalities: Mapped[bool] = mapped_column(default=False)
    # Answered only from personal links (an event's feedback survey): never listed or searchable
    # on the hub, and no one starts a response without a link.
    personal_links_only: Mapped[bool] = mapped_column(default=False)
    we_asked: Mapped[str] = mapped_column(Text, default="")
    you_said: Mapped[str] = mapped_column(Text, default="")
    we_did: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None]
    archived_at: Mapped[datetime | None]
    # The earlier consultation this one repeats (last year's scorecard), for year-on-year figures.
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations.id", ondelete="SET NULL"), index=True
    )

    # Names the current shape of the survey (its pages and questions): database triggers set a
    # new random value whenever one is added, changed or removed (migration d9a4c7e2b158), so
    # a web process knows whether the survey it parsed earlier is still current
    # (``surveys.snapshot``). Random, never a counter: one value never names two surveys.
    survey_version: Mapped[str | None] = mapped_column(String(32), default=new_survey_version)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    previous: Mapped[Consultation | None] = relationship(remote_side=[id])
    co_owners: Mapped[list[Organisation]] = relationship(secondary=consultation_co_owners)
    pages: Mapped[list[Page]] = relationship(
        back_populates="consultation", order_by="Page.position", cascade="all, delete-orphan"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="consultation",
        order_by="(Question.page_position, Question.position)",
        cascade="all, delete-orphan",
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="consultation", order_by="Document.id", cascade="all, delete-orphan"
    )

    def owner_ids(self) -> set[int]:
        return {self.organisation_id, *(o.id for o in self.co_owners)}


class Page(Base):
    """One page of a survey. Every consultation has at least one."""

    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(200), default="")
    intro: Mapped[str] = mapped_column(Text, default="")

    consultation: Mapped[Consultation] = relationship(back_populates="pages")
    questions: Mapped[list[Question]] = relationship(
        back_populates="page", order_by="Question.position", viewonly=True
    )


class Question(Base):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    # A copy of the page's position, so questions sort in survey order without a join.
    page_position: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)
    type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(Text)
    hint: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(default=False)
    # Choices as [{"value": "...", "label": "..."}]; values stay stable when labels are edited.
    options: Mapped[list[Any]] = mapped_column(default=list)
    # Per-type settings such as max_choices or max_length.
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Ask only when an earlier question's answer matches: {"question_id": 3, "values": ["o1"]}.
    show_if: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # Where an answer sends the person next: {"o2": <page id>, "o3": "end"}.
    routes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The question this one was copied from: its identity across years, whatever the wording.
    copied_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="SET NULL")
    )

    consultation: Mapped[Consultation] = relationship(back_populates="questions")
    page: Mapped[Page] = relationship(back_populates="questions")

    @property
    def field_name(self) -> str:
        return f"q{self.id}"

    def option_label(self, value: str) -> str:
        for option in self.options:
            if option["value"] == value:
                return str(option["label"])
        return value


class Channel(enum.StrEnum):
    HUB = "hub"
    EMBED = "embed"  # a partner's website, through the embed snippet
    INTRANET = "intranet"
    PAPER = "paper"
    EVENT = "event"
    PHONE = "phone"
    PANEL = "panel"  # a Residents' Panel member's own invitation link


CHANNEL_LABELS = {
    Channel.HUB: "Consultation hub",
    Channel.EMBED: "Partner website",
    Channel.INTRANET: "Partner intranet",
    Channel.PAPER: "Paper",
    Channel.EVENT: "Event",
    Channel.PHONE: "Phone",
    Channel.PANEL: "Residents' Panel",
}
# Channels a person answers in themselves; the rest are keyed in by officers.
ONLINE_CHANNELS = (Channel.HUB, Channel.EMBED, Channel.INTRANET, Channel.PANEL)


class TrackedLink(Base):
    """A short link an officer shares; responses that arrive through it record its channel."""

    __tablename__ = "tracked_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(20), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(20), default=Channel.HUB)
    visits: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Document(Base):
    """A file to download from the consultation's hub page.

    Kept in the database, so one backup holds everything.
    """

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    consultation: Mapped[Consultation] = relationship(back_populates="documents")


class Draft(Base):
    """Answers in progress. Its token becomes the response's submission token.

    Saved drafts can be resumed with a code (or the emailed link that carries it); only a hash of
    the code is kept. Drafts expire when the consultation closes.
    """

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Form values as entered, by field name: {"q12": ["o1"], "eq_age": ["25-34"]}.
    values: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Page ids in the order the person went through them (routing can skip pages).
    path: Mapped[list[Any]] = mapped_column(default=list)
    channel: Mapped[str] = mapped_column(String(20), default=Channel.HUB)
    tracked_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("tracked_links.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Response(Base):
    """One person's submitted answers. Anonymous: no account, IP address or user agent is kept."""

    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20), default=Channel.HUB)
    tracked_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("tracked_links.id", ondelete="SET NULL")
    )
    # One token per rendered form: a second submit of the same form finds the first response.
    submission_token: Mapped[str] = mapped_column(String(64), unique=True)
    submitted_at: Mapped[datetime] = mapped_column()

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )
    equalities: Mapped[EqualitiesAnswers | None] = relationship(
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


class EqualitiesAnswers(Base):
    """The equalities monitoring block, kept apart from the answers.

    Each column holds a code from ``surveys.equalities``; None means the question was skipped
    and "prefer_not" that the person preferred not to say.
    """

    __tablename__ = "equalities_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), unique=True
    )
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    age_band: Mapped[str | None] = mapped_column(String(20))
    sex: Mapped[str | None] = mapped_column(String(20))
    trans: Mapped[str | None] = mapped_column(String(20))
    disability: Mapped[str | None] = mapped_column(String(20))
    ethnicity: Mapped[str | None] = mapped_column(String(40))
    sexual_orientation: Mapped[str | None] = mapped_column(String(20))
    religion: Mapped[str | None] = mapped_column(String(20))
    carer: Mapped[str | None] = mapped_column(String(20))
    locality: Mapped[str | None] = mapped_column(String(100))

    response: Mapped[Response] = relationship(back_populates="equalities")
