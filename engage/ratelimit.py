"""Rate limits kept in the database, so every web process counts the same requests.

A limit is a bucket ("panel.sign_in.ip"), a key (an address or an IP) and a number of requests
allowed in a window. Keys are stored as an HMAC with the app's secret, never as typed: the table
holds no email addresses or IP addresses. Old rows are removed by the worker's tick.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engage.db import rows_changed
from surveys.base import Base

KEEP = timedelta(days=2)  # longer than any window below


class RateLimitHit(Base):
    __tablename__ = "rate_limit_hits"

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(60))
    key_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(index=True)


@dataclass(frozen=True)
class Limit:
    bucket: str
    allowed: int
    window: timedelta


def too_many(what: str) -> str:
    """What a person sees when a limit stops them; `what` is "sign-ups", "requests" and so on."""
    return (
        f"There have been too many {what} from this email address or this device in a short "
        "time. Wait an hour, then try again. What you typed has been kept."
    )


def key_hash(key: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, key.strip().lower().encode(), hashlib.sha256).hexdigest()


def used(session: Session, limit: Limit, key: str, *, now: datetime) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(RateLimitHit)
            .where(
                RateLimitHit.bucket == limit.bucket,
                RateLimitHit.key_hash == key_hash(key),
                RateLimitHit.at > now - limit.window,
            )
        )
        or 0
    )


def hit(session: Session, checks: list[tuple[Limit, str]], *, now: datetime) -> bool:
    """Count one request against every (limit, key) given; False when any limit is already used
    up (and then nothing is counted, so a refused request does not lengthen the wait)."""
    checks = [(limit, key) for limit, key in checks if key]
    if any(used(session, limit, key, now=now) >= limit.allowed for limit, key in checks):
        return False
    for limit, key in checks:
        session.add(RateLimitHit(bucket=limit.bucket, key_hash=key_hash(key), at=now))
    session.flush()
    return True


def within(
    session: Session, limits: tuple[Limit, ...], *, address: str = "", now: datetime
) -> bool:
    """Count this request against limits keyed by email ``address`` or by ``ip`` (the last part of
    each bucket's name says which); False when one is used up."""
    from flask import request

    keys = {"address": address.strip().lower(), "ip": request.remote_addr or ""}
    return hit(
        session, [(limit, keys[limit.bucket.rsplit(".", 1)[1]]) for limit in limits], now=now
    )


def purge(session: Session, *, now: datetime) -> int:
    return rows_changed(session, delete(RateLimitHit).where(RateLimitHit.at < now - KEEP))
