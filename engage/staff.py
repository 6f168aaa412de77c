"""Administering staff accounts (disabling, enabling, changing a role): each change is written
to the audit log with who made it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engage.accounts.models import STAFF_ROLES, Role, User
from engage.accounts.services import AccountError
from engage.audit.services import record
from surveys.models import Organisation


def disable_user(session: Session, user: User, *, by: Any = None) -> None:
    """Stop the account signing in and end every session it has; ``by`` (a user, or None for
    the command line) is written to the audit log."""
    user.active = False
    user.session_version += 1
    session.flush()
    _audit(session, "auth.disabled", user, by)


def enable_user(session: Session, user: User, *, by: Any = None) -> None:
    """Let a disabled account sign in again (with its password and code); audited."""
    user.active = True
    session.flush()
    _audit(session, "auth.enabled", user, by)


def change_role(
    session: Session,
    user: User,
    role: str,
    *,
    organisation: Organisation | None = None,
    by: Any = None,
) -> None:
    """Give the account another role, sign it out everywhere so the new role applies at once,
    and write the change (from, to) to the audit log."""
    try:
        new = Role(role)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise AccountError(f"Unknown role {role!r}: choose one of {choices}") from None
    if organisation is not None:
        user.organisation = organisation
    if new in STAFF_ROLES and user.organisation is None and user.organisation_id is None:
        raise AccountError("Partner staff must belong to a partner organisation")
    before = user.role
    user.role = new
    user.session_version += 1
    session.flush()
    _audit(session, "auth.role_changed", user, by, {"from": str(before), "to": str(new)})


def _audit(
    session: Session, action: str, user: User, by: Any, detail: dict[str, Any] | None = None
) -> None:
    record(
        session,
        action=action,
        actor=by,
        target_type="user",
        target_id=user.id,
        detail={"email": user.email, **(detail or {})},
    )
