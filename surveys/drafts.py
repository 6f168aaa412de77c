"""Answers in progress: kept page by page, resumable with a code, gone once the consultation closes.

A draft's token is the secret in the survey's address and becomes the response's submission token,
so however many times the last page is sent (double click, back button, two tabs) there is one
response. The resume code is shown once and only its hash is kept.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.orm import Session

from surveys.models import Channel, Consultation, Draft


class HasField(Protocol):
    @property
    def field_name(self) -> str: ...


# No 0/O, 1/I/L: a code read off a screen or a slip of paper and typed in again.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12  # about 59 bits
NO_CLOSING_DATE_KEEP = timedelta(days=90)
UNSAVED_KEEP = timedelta(days=7)
# Kept with the answers: when the person began (an ISO time), for the web's minimum-time check.
STARTED = "_started"


# What a token looks like, so a mangled address is refused before any lookup.
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def expiry(consultation: Consultation, now: datetime) -> datetime:
    return consultation.closes_at or now + NO_CLOSING_DATE_KEEP


def follow_closing_date(
    session: Session, consultation: Consultation, closes_at: datetime | None
) -> None:
    """Saved answers last until the consultation closes, wherever its closing date moves."""
    expires = closes_at or datetime.now(UTC) + NO_CLOSING_DATE_KEEP
    session.execute(
        update(Draft).where(Draft.consultation_id == consultation.id).values(expires_at=expires)
    )


def get(session: Session, consultation: Consultation, token: str) -> Draft | None:
    return session.scalar(
        select(Draft).where(Draft.consultation_id == consultation.id, Draft.token == token)
    )


def token_taken(session: Session, token: str) -> bool:
    """Whether any consultation's draft already has this token."""
    return session.scalar(select(Draft.id).where(Draft.token == token).limit(1)) is not None


def save(
    session: Session,
    consultation: Consultation,
    draft: Draft | None,
    *,
    token: str,
    values: Mapping[str, Sequence[str]],
    path: Sequence[Any],
    now: datetime,
    channel: str = Channel.HUB,
    tracked_link_id: int | None = None,
) -> Draft:
    """Keep a person's answers so far and the steps they have done, creating the draft if new."""
    if draft is None:
        draft = Draft(
            consultation_id=consultation.id,
            token=token,
            channel=channel,
            tracked_link_id=tracked_link_id,
        )
        session.add(draft)
    draft.values = {k: list(v) for k, v in values.items()}
    draft.path = list(path)
    draft.expires_at = expiry(consultation, now)
    draft.updated_at = now
    session.flush()
    return draft


def start(session: Session, consultation: Consultation, *, channel: str, now: datetime) -> Draft:
    """An empty draft under a new token, for a personal link (a panel invitation, event feedback)
    that opens the survey at its first page."""
    values = {STARTED: [now.isoformat()]}
    return save(
        session,
        consultation,
        None,
        token=new_token(),
        values=values,
        path=[],
        now=now,
        channel=channel,
    )


def started(draft: Draft) -> datetime | None:
    """When the person began answering (kept with the answers under ``STARTED``), if known."""
    value = (draft.values.get(STARTED) or [None])[0]
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def merge_values(
    values: Mapping[str, Sequence[str]],
    questions: Iterable[HasField],
    form: Mapping[str, Sequence[str]],
) -> dict[str, list[str]]:
    """``values`` with the answers to ``questions`` replaced by those in ``form``."""
    names = [q.field_name for q in questions]

    def owned(key: str) -> bool:
        return any(key == name or key.startswith(name + "-") for name in names)

    merged = {k: list(v) for k, v in values.items() if not owned(k)}
    for key in form:
        kept = [v for v in form[key] if v != ""]
        if owned(key) and kept:
            merged[key] = kept
    return merged


def issue_code(draft: Draft) -> str:
    """A new resume code for the draft; any earlier code stops working."""
    code = new_code()
    draft.code_hash = hash_code(code)
    return code


def find_by_code(
    session: Session, consultation: Consultation, code: str, *, now: datetime
) -> Draft | None:
    if len(normalise_code(code)) != CODE_LENGTH:
        return None
    draft = session.scalar(
        select(Draft).where(
            Draft.consultation_id == consultation.id, Draft.code_hash == hash_code(code)
        )
    )
    if draft is None or (draft.expires_at and draft.expires_at <= now):
        return None
    return draft


def purge_expired(session: Session, *, now: datetime) -> int:
    """Delete drafts past their expiry, and never-saved ones left for a week."""
    # A DELETE's result is a CursorResult, which has the rowcount; execute() says only Result.
    result = cast(
        "CursorResult[Any]",
        session.execute(
            delete(Draft).where(
                or_(
                    Draft.expires_at <= now,
                    Draft.code_hash.is_(None) & (Draft.updated_at <= now - UNSAVED_KEEP),
                )
            )
        ),
    )
    return int(result.rowcount or 0)
