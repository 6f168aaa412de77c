"""A person's data protection rights across everything Engage holds: find them, show and export
what is held (subject access), and erase it.

A person is looked for by email address, or by name and postcode for paper records, in:
accounts, Residents' Panel members (with their invitations and answers), event sign-ups and
partner nominations, responses that carry their email address or (for paper responses) their
name, saved drafts, and emails sent or waiting to be sent to them.

Erasure deletes what exists only because of the person (their panel membership, drafts,
emails) and anonymises what others' figures rest on: a response to a consultation that has
closed keeps its counted answers, without the person's email address, details in free text or
special-category equalities answers; a response to a consultation still open is deleted, since
no figures have been reported from it yet. An account is kept (the audit log names its id) but
emptied and disabled; an event sign-up loses the person's details and keeps its place in the
attendance counts (a place at an event still to come is given up, and the waiting list moves).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, delete, func, or_, select
from sqlalchemy.orm import Session

from analysis import pii
from engage.accounts.models import User
from engage.accounts.services import hash_password
from engage.audit.services import record
from engage.events import emails as event_emails
from engage.events import services as event_services
from engage.events.models import EventSignup, SignupStatus
from engage.mail import OutboxEmail
from engage.panel import privacy as panel_privacy
from engage.panel.models import PanelInvitation, PanelMember
from engage.privacy.retention import SPECIAL_CATEGORY, clear_signup
from surveys.models import (
    Answer,
    Consultation,
    ConsultationStatus,
    Draft,
    EqualitiesAnswers,
    Question,
    Response,
)

CLOSED = {ConsultationStatus.CLOSED, ConsultationStatus.PUBLISHED, ConsultationStatus.ARCHIVED}
REMOVED = "[removed]"


@dataclass(frozen=True)
class Query:
    email: str = ""
    name: str = ""
    postcode: str = ""

    @classmethod
    def clean(cls, email: str = "", name: str = "", postcode: str = "") -> Query:
        return cls(
            email=email.strip().lower(),
            name=" ".join(name.split()),
            postcode=normalise_postcode(postcode),
        )

    @property
    def empty(self) -> bool:
        return not (self.email or self.name)

    def as_dict(self) -> dict[str, str]:
        return {"email": self.email, "name": self.name, "postcode": self.postcode}

    def reference(self, secret: str) -> str:
        """A keyed hash of the search, so the audit log can tie an export and an erasure of
        the same person together without holding their details."""
        message = json.dumps(self.as_dict(), sort_keys=True).encode()
        return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:16]


def normalise_postcode(value: str) -> str:
    """Upper case with one space before the last three characters, as panel members' are kept."""
    compact = "".join(value.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


@dataclass
class Found:
    """Everything found for one query, by kind."""

    users: list[User] = field(default_factory=list)
    members: list[PanelMember] = field(default_factory=list)
    signups: list[EventSignup] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)
    emails: list[OutboxEmail] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts().values())

    def counts(self) -> dict[str, int]:
        return {
            "accounts": len(self.users),
            "panel_members": len(self.members),
            "event_sign_ups": len(self.signups),
            "responses": len(self.responses),
            "drafts": len(self.drafts),
            "emails": len(self.emails),
        }


def _like(value: str) -> str:
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find(session: Session, query: Query) -> Found:
    found = Found()
    if query.empty:
        return found
    email, name = query.email, query.name.lower()
    if email:
        found.users = list(
            session.scalars(select(User).where(func.lower(User.email) == email).order_by(User.id))
        )
        found.members = list(
            session.scalars(
                select(PanelMember)
                .where(func.lower(PanelMember.email) == email)
                .order_by(PanelMember.id)
            )
        )
        found.signups = list(
            session.scalars(
                select(EventSignup)
                .where(func.lower(EventSignup.email) == email)
                .order_by(EventSignup.id)
            )
        )
        found.emails = list(
            session.scalars(
                select(OutboxEmail)
                .where(func.lower(OutboxEmail.to) == email)
                .order_by(OutboxEmail.id)
            )
        )
    if name:
        members = select(PanelMember).where(func.lower(PanelMember.name) == name)
        if query.postcode:
            members = members.where(PanelMember.postcode == query.postcode)
        _extend(found.members, session.scalars(members.order_by(PanelMember.id)))
        if not query.postcode:  # sign-ups and accounts keep no postcode to tell people apart
            _extend(
                found.signups,
                session.scalars(
                    select(EventSignup)
                    .where(func.lower(EventSignup.name) == name)
                    .order_by(EventSignup.id)
                ),
            )
    found.responses = _responses(session, query)
    found.drafts = _drafts(session, query)
    return found


def _extend(items: list[Any], more: Any) -> None:
    seen = {item.id for item in items}
    items.extend(item for item in more if item.id not in seen)


def _responses(session: Session, query: Query) -> list[Response]:
    """Responses whose answers give the email address, or the name (and postcode, if given)."""
    ids: set[int] | None = None
    terms = [t for t in (query.email, query.name.lower()) if t]
    matched: set[int] = set()
    for term in terms:
        matched |= set(
            session.scalars(
                select(Answer.response_id).where(
                    or_(
                        func.lower(Answer.text).like(_like(term), escape="\\"),
                        func.lower(cast(Answer.value, String)).like(_like(term), escape="\\"),
                    )
                )
            )
        )
    ids = matched
    if query.postcode and query.name and ids:
        compact = query.postcode.replace(" ", "").lower()
        with_postcode = set()
        for response_id, text in session.execute(
            select(Answer.response_id, Answer.text).where(Answer.response_id.in_(ids))
        ):
            if text and compact in "".join(text.split()).lower():
                with_postcode.add(response_id)
        ids = with_postcode
    if not ids:
        return []
    return list(session.scalars(select(Response).where(Response.id.in_(ids)).order_by(Response.id)))


def _drafts(session: Session, query: Query) -> list[Draft]:
    terms = [t for t in (query.email, query.name.lower()) if t]
    if not terms:
        return []
    text = func.lower(cast(Draft.values, String))
    return list(
        session.scalars(
            select(Draft)
            .where(or_(*(text.like(_like(t), escape="\\") for t in terms)))
            .order_by(Draft.id)
        )
    )


# Erasure -----------------------------------------------------------------------------------------


def response_fate(session: Session, response: Response) -> str:
    """``anonymise`` when the consultation has closed (its figures stand), else ``delete``."""
    consultation = session.get(Consultation, response.consultation_id)
    return "anonymise" if consultation and consultation.status in CLOSED else "delete"


@dataclass(frozen=True)
class Known:
    """What identifies the person in written answers: what was searched for, and the names,
    addresses and postcodes their other records give."""

    terms: tuple[str, ...]
    postcodes: tuple[str, ...]

    @classmethod
    def of(cls, query: Query, found: Found) -> Known:
        names = [query.email, query.name]
        names += [u.name for u in found.users] + [s.name for s in found.signups]
        names += [m.name for m in found.members] + [m.email or "" for m in found.members]
        postcodes = [query.postcode, *(m.postcode for m in found.members)]
        terms = sorted({n.strip() for n in names if len(n.strip()) > 2}, key=len, reverse=True)
        return cls(tuple(terms), tuple(sorted({p for p in postcodes if p})))


def _scrub(text: str, known: Known) -> str:
    for term in known.terms:
        pattern = r"\s+".join(re.escape(part) for part in term.split())
        text = re.sub(pattern, REMOVED, text, flags=re.IGNORECASE)
    for postcode in known.postcodes:
        pattern = r"\s*".join(re.escape(ch) for ch in postcode.replace(" ", ""))
        text = re.sub(pattern, REMOVED, text, flags=re.IGNORECASE)
    return pii.mask(text).text


def _anonymise_response(session: Session, response: Response, known: Known) -> None:
    for answer in list(response.answers):
        question = session.get(Question, answer.question_id)
        if question is not None and question.type == "email":
            session.delete(answer)
            continue
        if answer.text:
            clean = _scrub(answer.text, known)
            if answer.value == answer.text:
                answer.value = clean
            answer.text = clean
        elif isinstance(answer.value, str):
            answer.value = _scrub(answer.value, known)
    if response.equalities is not None:
        for column in SPECIAL_CATEGORY:
            setattr(response.equalities, column, None)
    response.submission_token = secrets.token_urlsafe(24)


def _erase_user(user: User) -> None:
    user.email = f"erased-{user.id}@erased.invalid"
    user.name = ""
    user.password_hash = hash_password(secrets.token_urlsafe(32))  # known to no one
    user.active = False
    user.totp_secret = None
    user.totp_last_step = None
    user.recovery_codes = []
    user.session_version += 1


def erase(
    session: Session, query: Query, found: Found, *, actor: Any, now: datetime, secret: str
) -> dict[str, int]:
    """Erase or anonymise everything found; one audit row with the counts (never the details)."""
    counts = {
        "accounts_disabled": 0,
        "panel_members_erased": 0,
        "event_sign_ups_cleared": 0,
        "responses_anonymised": 0,
        "responses_deleted": 0,
        "drafts_deleted": 0,
        "emails_deleted": 0,
    }
    known = Known.of(query, found)  # before the records that give it are erased
    for user in found.users:
        _erase_user(user)
        counts["accounts_disabled"] += 1
    for member in found.members:
        panel_privacy.erase(session, member, actor=actor)
        counts["panel_members_erased"] += 1
    for signup in found.signups:
        upcoming = signup.event.starts_at > now
        if upcoming and signup.status != SignupStatus.CANCELLED:
            for person in event_services.cancel(session, signup, now=now):
                event_emails.promoted(session, person)
        clear_signup(signup)
        counts["event_sign_ups_cleared"] += 1
    session.flush()
    remaining = _still_there(session, Response, [r.id for r in found.responses])
    for response in found.responses:
        if response.id not in remaining:
            continue  # went with a panel member's erasure
        session.execute(
            PanelInvitation.__table__.update()
            .where(PanelInvitation.response_id == response.id)
            .values(response_id=None, draft_token=None)
        )
        if response_fate(session, response) == "anonymise":
            _anonymise_response(session, response, known)
            counts["responses_anonymised"] += 1
        else:
            session.execute(delete(Answer).where(Answer.response_id == response.id))
            session.execute(
                delete(EqualitiesAnswers).where(EqualitiesAnswers.response_id == response.id)
            )
            session.delete(response)
            counts["responses_deleted"] += 1
    for draft in found.drafts:
        session.delete(draft)
        counts["drafts_deleted"] += 1
    remaining = _still_there(session, OutboxEmail, [e.id for e in found.emails])
    for email in found.emails:
        if email.id in remaining:  # else it went with a panel member's erasure
            session.delete(email)
    counts["emails_deleted"] = len(found.emails)
    session.flush()
    record(
        session,
        action="privacy.person.erased",
        actor=actor,
        target_type="person",
        target_id=query.reference(secret),
        detail={"searched_by": searched_by(query), **counts},
    )
    return counts


def _still_there(session: Session, model: Any, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(session.scalars(select(model.id).where(model.id.in_(ids))))


def searched_by(query: Query) -> str:
    """How the person was found, without the details themselves (the log keeps no personal data)."""
    parts = [label for label, value in (("email", query.email), ("name", query.name)) if value]
    if query.postcode:
        parts.append("postcode")
    return " and ".join(parts)
