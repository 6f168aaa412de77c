"""Channels: tracked links officers share, and how many responses came through each channel.

A tracked link has a short unguessable code. Following ``/s/<code>`` counts a visit and sends
the person to the survey with ``?via=<code>``; the survey flow calls ``resolve`` and
``channel_for`` to record the channel and the link on the response. No Flask here.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from surveys.errors import SurveyError
from surveys.models import (
    CHANNEL_LABELS,
    Channel,
    Consultation,
    Response,
    TrackedLink,
)

# Channels an officer can share a link through; paper and phone responses are keyed in.
LINK_CHANNELS = (Channel.HUB, Channel.EMBED, Channel.INTRANET, Channel.EVENT)
# Lower case letters and digits without look-alikes (0/o, 1/l/i), so a code read aloud or
# copied off a poster survives. 10 characters from 31 is about 49 bits: not guessable.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 10
CODE = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")
MAX_LABEL = 200


class LinkError(SurveyError):
    """A tracked link cannot be made as asked; ``field`` names the form field it is about."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def is_code(value: str | None) -> bool:
    return bool(value) and CODE.match(value or "") is not None


def create_link(
    session: Session, consultation: Consultation, *, label: str, channel: str
) -> TrackedLink:
    """A new tracked link for the consultation, with a fresh code."""
    label = " ".join(label.split())
    if not label:
        raise LinkError("Enter a name for the link, like College website", "label")
    if len(label) > MAX_LABEL:
        raise LinkError(f"Keep the name to {MAX_LABEL} characters or fewer", "label")
    if channel not in LINK_CHANNELS:
        raise LinkError("Select where you will share the link", "channel")
    taken = session.scalar(
        select(TrackedLink.id).where(
            TrackedLink.consultation_id == consultation.id,
            func.lower(TrackedLink.label) == label.lower(),
        )
    )
    if taken is not None:
        raise LinkError(f"This consultation already has a link called “{label}”", "label")
    code = new_code()
    while session.scalar(select(TrackedLink.id).where(TrackedLink.code == code)) is not None:
        code = new_code()  # about one chance in 10^14 per existing link
    link = TrackedLink(consultation_id=consultation.id, code=code, label=label, channel=channel)
    session.add(link)
    session.flush()
    return link


def find(session: Session, code: str | None) -> TrackedLink | None:
    """The link with this code (in any case), whichever consultation it belongs to."""
    code = (code or "").lower()
    if not is_code(code):
        return None
    return session.scalar(select(TrackedLink).where(TrackedLink.code == code))


def resolve(session: Session, consultation: Consultation, code: str | None) -> TrackedLink | None:
    """The link a ``?via=`` code names, only if it belongs to this consultation."""
    link = find(session, code)
    if link is None or link.consultation_id != consultation.id:
        return None
    return link


def channel_for(link: TrackedLink | None, embedded: bool) -> str:
    """The channel a response arrived through.

    The link's channel wins when there is one: the officer said where it was shared (an intranet
    may embed the survey and still be the intranet). Without a link, an embedded survey is a
    partner website and anything else is the hub.
    """
    if link is not None:
        return link.channel
    return Channel.EMBED if embedded else Channel.HUB


def record_visit(session: Session, link_id: int) -> None:
    """Count one visit with a single UPDATE, so simultaneous visits are never lost."""
    session.execute(
        update(TrackedLink)
        .where(TrackedLink.id == link_id)
        .values(visits=TrackedLink.visits + 1)
        .execution_options(synchronize_session=False)
    )


def respond_path(slug: str, code: str, *, embedded: bool) -> str:
    """Where a link sends people: the survey, or its embedded form for partner websites."""
    prefix = "/embed" if embedded else "/consultations"
    return f"{prefix}/{quote(slug, safe='')}/respond?{urlencode({'via': code})}"


def target_path(consultation: Consultation, link: TrackedLink) -> str:
    return respond_path(consultation.slug, link.code, embedded=link.channel == Channel.EMBED)


@dataclass(frozen=True)
class ChannelCount:
    channel: str
    label: str
    responses: int


@dataclass(frozen=True)
class LinkStats:
    link: TrackedLink
    responses: int

    @property
    def channel_label(self) -> str:
        return CHANNEL_LABELS.get(Channel(self.link.channel), self.link.channel)


def channel_counts(session: Session, consultation_id: int) -> list[ChannelCount]:
    """Responses by channel, every channel listed (zeros included), in one grouped query."""
    stmt = (
        select(Response.channel, func.count())
        .where(Response.consultation_id == consultation_id)
        .group_by(Response.channel)
    )
    counts = dict(session.execute(stmt).tuples().all())
    return [ChannelCount(c.value, CHANNEL_LABELS[c], counts.get(c.value, 0)) for c in Channel]


def link_stats(session: Session, consultation_id: int) -> list[LinkStats]:
    """Each of the consultation's links with its responses, oldest first, in one query."""
    responses = func.count(Response.id)
    stmt = (
        select(TrackedLink, responses)
        .outerjoin(Response, Response.tracked_link_id == TrackedLink.id)
        .where(TrackedLink.consultation_id == consultation_id)
        .group_by(TrackedLink.id)
        .order_by(TrackedLink.created_at, TrackedLink.id)
    )
    return [LinkStats(link, n) for link, n in session.execute(stmt).tuples()]
