"""A task outbox: work for the worker is a row written in the caller's transaction.

Web requests never talk to the broker. They add a ``TaskOutbox`` row beside the change that
causes it (a stored response, an email to send) and commit both together; a dispatcher (the
beat's ``dispatch`` entry and the ``tick``) publishes pending rows later with short broker
timeouts. With Redis stopped or hanging a resident's answer is stored at once, and the rows wait
until the broker comes back.

Each row is published with the Celery task id ``outbox-<id>``, and the task marks the row done
in the same transaction as its work, so a row published twice (the dispatcher crashed between
publishing and recording it) or a message delivered twice (a worker killed mid-task) still does
the work once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, String, Text, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from engage.db import rows_changed
from surveys.base import Base, utcnow

log = logging.getLogger(__name__)

# Which queue each kind of work goes to, so worker machines can be given kinds of work.
QUEUES = ("celery", "analysis", "email", "reports")
RESPONSE_RECEIVED_TASK = "worker.tasks.response_received"
SEND_MAIL_TASK = "worker.tasks.send_mail"
BATCH = 200


class TaskOutbox(Base):
    __tablename__ = "task_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(120))
    args: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # One row per piece of work: a second enqueue with the same key is a no-op.
    key: Mapped[str] = mapped_column(String(160), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    done_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class Heartbeat(Base):
    """When a named process last showed it was alive (the worker's tick writes ``worker``)."""

    __tablename__ = "heartbeats"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    beat_at: Mapped[datetime]


def enqueue(session: Session, task: str, args: list[Any], *, key: str) -> TaskOutbox:
    """Add work to the outbox; it is published after the caller commits. Never touches Redis."""
    row = session.scalar(select(TaskOutbox).where(TaskOutbox.key == key))
    if row is None:
        row = TaskOutbox(task=task, args=list(args), key=key)
        session.add(row)
        session.flush()
    return row


def task_id(row_id: int) -> str:
    return f"outbox-{row_id}"


def publish_pending(session: Session, celery: Any, *, limit: int = BATCH) -> int:
    """Publish rows not yet published, oldest first; stop at the first broker failure.

    Each publish is recorded in its own commit, so a crash re-publishes at most one row, and
    the task's own check (``claim``) makes that harmless.
    """
    pending = session.scalars(
        select(TaskOutbox)
        .where(TaskOutbox.published_at.is_(None))
        .order_by(TaskOutbox.id)
        .limit(limit)
    ).all()
    sent = 0
    for row in pending:
        try:
            celery.send_task(
                row.task, args=[row.id, *row.args], task_id=task_id(row.id), retry=False
            )
        except Exception as exc:  # noqa: BLE001 - any broker failure: the next dispatch retries
            session.execute(
                update(TaskOutbox)
                .where(TaskOutbox.id == row.id)
                .values(attempts=TaskOutbox.attempts + 1, last_error=str(exc)[:500])
            )
            session.commit()
            log.warning("broker refused outbox row %s: %s", row.id, exc)
            break
        row.published_at = utcnow()
        row.attempts += 1
        session.commit()
        sent += 1
    return sent


def claim(session: Session, row_id: int) -> TaskOutbox | None:
    """The row, locked, if its work is still to do; None if it was done already."""
    row = session.scalar(select(TaskOutbox).where(TaskOutbox.id == row_id).with_for_update())
    if row is None or row.done_at is not None:
        return None
    return row


def mark_done(row: TaskOutbox) -> None:
    row.done_at = utcnow()


def oldest_pending_age(session: Session, now: datetime | None = None) -> float | None:
    """Seconds since the oldest unpublished row was written; None when nothing waits."""
    oldest = session.scalar(
        select(func.min(TaskOutbox.created_at)).where(TaskOutbox.published_at.is_(None))
    )
    if oldest is None:
        return None
    return max(0.0, ((now or utcnow()) - oldest).total_seconds())


def purge_done(session: Session, *, now: datetime, keep: timedelta = timedelta(days=7)) -> int:
    """Forget finished rows after a week, so the table stays small."""
    return rows_changed(
        session,
        TaskOutbox.__table__.delete().where(
            TaskOutbox.done_at.is_not(None), TaskOutbox.done_at < now - keep
        ),
    )


def beat(session: Session, name: str, now: datetime | None = None) -> None:
    row = session.get(Heartbeat, name)
    if row is None:
        session.add(Heartbeat(name=name, beat_at=now or utcnow()))
    else:
        row.beat_at = now or utcnow()
    session.flush()


def last_beat(session: Session, name: str) -> datetime | None:
    return session.scalar(select(Heartbeat.beat_at).where(Heartbeat.name == name))
