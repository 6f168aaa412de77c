"""Where the panel records privacy events (exports, erasure, retention) for the audit log.

The general append-only audit log (``engage.audit.record``) is being built beside this work;
until it is on this branch, events go to the application log through the same signature, so
switching is a one-line change here.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

log = logging.getLogger("engage.audit")

try:  # pragma: no cover - depends on which branch is merged first
    from engage.audit import record as _record  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    _record = None


def record(
    session: Session,
    *,
    action: str,
    actor: Any = None,
    target_type: str | None = None,
    target_id: Any = None,
    detail: dict[str, Any] | None = None,
) -> None:
    if _record is not None:
        _record(
            session,
            action=action,
            actor=actor,
            target_type=target_type,
            target_id=target_id,
            detail=detail,
        )
        return
    log.info(
        "audit %s by %s on %s %s: %s",
        action,
        getattr(actor, "id", actor),
        target_type,
        target_id,
        detail or {},
    )
