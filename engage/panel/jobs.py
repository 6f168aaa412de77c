"""The panel's part of the worker's tick: scheduled exercises and reminders, ended terms, and
the retention schedule. Takes a Session and never commits."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from engage import ratelimit
from engage.panel import exercises, privacy
from engage.panel.services import mark_bounced


def tick(session: Session, *, now: datetime, retention_days: int) -> dict[str, int]:
    outcome = exercises.run_schedule(session, now=now)
    outcome["panel_retired"] = privacy.retire_ended_terms(session, now=now)
    outcome.update(privacy.apply_retention(session, now=now, retention_days=retention_days))
    outcome["rate_limit_purged"] = ratelimit.purge(session, now=now)
    return outcome


def bounced(session: Session, address: str) -> None:
    """The mail server refused this address for good: stop writing to the member who has it."""
    mark_bounced(session, [address], now=datetime.now(UTC))
