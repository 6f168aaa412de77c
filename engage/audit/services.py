"""Writing to the audit log and reading it back, filtered, a page at a time.

``record`` adds a row to the caller's session and never commits: the view or task that calls it
owns the transaction, so an export and its audit row stand or fall together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, event, func, or_, select
from sqlalchemy.orm import ORMExecuteState, Session, aliased

from engage.accounts.models import User
from engage.audit.models import AuditEvent
from surveys.base import utcnow

# What each action means, for the page's filter and its table; new actions get a line here.
ACTIONS = {
    "export.responses": "Downloaded the responses",
    "export.summary": "Downloaded the summary counts",
    "export.free_text": "Downloaded the free-text answers",
    "export.scorecard": "Downloaded the scorecard year on year",
    "export.codebook": "Downloaded a codebook",
    "report.download": "Downloaded a report",
    "curation.approve": "Approved a question's themes",
    "results.publish": "Published “We asked, you said, we did”",
    "panel.member.exported": "Downloaded everything held on a panel member (subject access)",
    "panel.member.erased": "Erased a panel member",
    "panel.retention": "Deleted former panel members' contact details (retention)",
    "export.event_signups": "Downloaded an event's sign-ups (names and needs)",
    "export.event_summary": "Downloaded an event's summary counts",
    "event.cancelled": "Cancelled an event and emailed everyone signed up",
    "panel.member.renewed": "Renewed a panel member's term (by an officer, or the member's link)",
    "panel.renewal.sent": "Emailed a panel member a link to renew their term",
    "panel.letters": "Printed or downloaded panel invitation letters (members contacted by post)",
    "auth.login": "Signed in",
    "auth.login_failed": "Failed to sign in (wrong email address or password)",
    "auth.code_failed": "Gave a wrong one-time code",
    "auth.mfa_enrolled": "Set up one-time codes",
    "auth.logout": "Signed out",
    "auth.password_changed": "Changed their password",
    "auth.disabled": "Account disabled",
    "auth.enabled": "Account enabled again",
    "auth.role_changed": "Role changed",
    "privacy.person.exported": "Downloaded everything held on a person (subject access)",
    "privacy.person.erased": "Erased a person's data (their request)",
    "retention.schedule_set": "Set how long a consultation's responses are kept",
    "retention.anonymised": "Anonymised a consultation's responses (retention schedule)",
    "retention.deleted": "Deleted a consultation's responses (retention schedule)",
    "retention.event_signups": "Deleted an event's sign-ups' names and needs (retention)",
}
PAGE_SIZE = 50


class AuditLogError(RuntimeError):
    """Raised when anything tries to change or delete an audit row."""


def record(
    session: Session,
    *,
    action: str,
    actor: Any = None,
    target_type: str | None = None,
    target_id: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one event. ``actor`` is a user (or Flask-Login's current_user), a user id, or None
    for the system; ``target_id`` is stored as text so any kind of key fits."""
    actor_id, actor_role = _actor(session, actor)
    row = AuditEvent(
        at=utcnow(),
        action=action,
        actor_id=actor_id,
        actor_role=actor_role,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        detail=dict(detail or {}),
    )
    session.add(row)
    session.flush()
    return row


def _actor(session: Session, actor: Any) -> tuple[int | None, str | None]:
    if actor is None or not getattr(actor, "is_authenticated", True):
        return None, None
    if isinstance(actor, int):
        user = session.get(User, actor)
        return actor, user.role if user is not None else None
    return int(actor.id), getattr(actor, "role", None)


# Append-only ---------------------------------------------------------------------------------


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(_mapper: Any, _connection: Any, target: AuditEvent) -> None:
    raise AuditLogError(f"audit event {target.id} cannot be changed: the log is append-only")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(_mapper: Any, _connection: Any, target: AuditEvent) -> None:
    raise AuditLogError(f"audit event {target.id} cannot be deleted: the log is append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk(state: ORMExecuteState) -> None:
    """Bulk ``update(AuditEvent)`` and ``delete(AuditEvent)`` skip the mapper events."""
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper is not None and mapper.class_ is AuditEvent:
        raise AuditLogError("the audit log is append-only")


# Reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    action: str = ""
    who: str = ""
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class Page:
    rows: Sequence[tuple[AuditEvent, User | None]]
    number: int
    pages: int
    total: int


def search(session: Session, filters: Filters, page: int = 1) -> Page:
    """Newest first, ``PAGE_SIZE`` a page; ``who`` matches a name or email, ``until`` includes
    the whole of that day (UTC)."""
    actor = aliased(User)
    stmt: Select[Any] = select(AuditEvent, actor).outerjoin(actor, actor.id == AuditEvent.actor_id)
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.who:
        pattern = f"%{filters.who.strip().lower()}%"
        stmt = stmt.where(
            or_(func.lower(actor.name).like(pattern), func.lower(actor.email).like(pattern))
        )
    if filters.since:
        stmt = stmt.where(AuditEvent.at >= _start(filters.since))
    if filters.until:
        stmt = stmt.where(AuditEvent.at < _start(filters.until + timedelta(days=1)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(max(page, 1), pages)
    rows = session.execute(
        stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(PAGE_SIZE)
        .offset((number - 1) * PAGE_SIZE)
    ).all()
    return Page(rows=[(e, u) for e, u in rows], number=number, pages=pages, total=total)


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
