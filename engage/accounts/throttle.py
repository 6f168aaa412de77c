"""Sign-in lock-out with back-off, per email address whether or not it has an account.

After ``FREE_ATTEMPTS`` failures in a row an address is locked for 1 minute, then 2, 4, ... up to
an hour, so a guesser gets a few hundred tries a day while a person who mistypes waits a minute.
Known and unknown addresses behave the same, so the lock-out says nothing about who has an account.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from engage.accounts.models import LoginThrottle
from engage.accounts.services import normalise_email
from surveys.base import utcnow

FREE_ATTEMPTS = 5
MAX_LOCK = timedelta(hours=1)


def _key(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


def _row(session: Session, email: str) -> LoginThrottle:
    key = _key(email)
    row = session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0)
        session.add(row)
    return row


def locked_until(session: Session, email: str, now: datetime | None = None) -> datetime | None:
    row = session.get(LoginThrottle, _key(email))
    now = now or utcnow()
    if row is None or row.locked_until is None or row.locked_until <= now:
        return None
    return row.locked_until


def failed(session: Session, email: str, now: datetime | None = None) -> None:
    row = _row(session, email)
    row.failures = (row.failures or 0) + 1
    if row.failures >= FREE_ATTEMPTS:
        lock = min(timedelta(minutes=2 ** (row.failures - FREE_ATTEMPTS)), MAX_LOCK)
        row.locked_until = (now or utcnow()) + lock
    session.flush()


def succeeded(session: Session, email: str) -> None:
    row = session.get(LoginThrottle, _key(email))
    if row is not None:
        session.delete(row)
        session.flush()
