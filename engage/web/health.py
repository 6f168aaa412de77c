"""Health endpoints for load balancers and monitoring.

``/healthz`` says the process answers (no database, no broker): restart it if this fails.
``/readyz`` checks what serving residents needs. Only the database makes it 503: without it no
answer can be stored. A broker that is down or hanging, an outbox waiting too long or a silent
worker are reported as ``degraded`` with 200, because residents can still submit (their answers
wait in the outbox), and a load balancer must not take every web process out for them.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from engage import outbox
from engage.db import get_session
from engage.web.security import csrf
from surveys.base import utcnow

bp = Blueprint("health", __name__)

CHECK_TIMEOUT = 0.5  # seconds per check: a hanging dependency must not hang the probe
OUTBOX_STALE_SECONDS = 120
# The tick writes the worker's heartbeat every ENGAGE_TICK_SECONDS: ten missed ticks (five
# minutes by default) mean no worker or no beat is running.
HEARTBEAT_STALE_TICKS = 10


@bp.get("/healthz")
def healthz() -> Any:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> Any:
    checks: dict[str, dict[str, Any]] = {}
    checks["database"] = _database(checks)
    checks["broker"] = _broker()
    status = "ok"
    if checks["database"]["status"] != "ok":
        status = "fail"
    elif any(check["status"] != "ok" for check in checks.values()):
        status = "degraded"
    response = jsonify(status=status, checks=checks)
    response.status_code = 503 if status == "fail" else 200
    response.headers["Cache-Control"] = "no-store"
    return response


def _database(checks: dict[str, dict[str, Any]]) -> dict[str, Any]:
    session = get_session()
    started = time.monotonic()
    try:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SET LOCAL statement_timeout = 1000"))
        session.execute(text("SELECT 1"))
        now = utcnow()
        age = outbox.oldest_pending_age(session, now)
        beat = outbox.last_beat(session, "worker")
    except Exception as exc:  # noqa: BLE001 - any failure is the answer this check gives
        return {"status": "fail", "error": type(exc).__name__}
    finally:
        session.rollback()
    checks["outbox"] = {
        "status": "ok" if age is None or age < OUTBOX_STALE_SECONDS else "degraded",
        "oldest_pending_seconds": None if age is None else round(age, 1),
    }
    beat_age = None if beat is None else (now - beat).total_seconds()
    stale_after = HEARTBEAT_STALE_TICKS * current_app.config["TICK_SECONDS"]
    checks["worker"] = {
        "status": "ok" if beat_age is not None and beat_age < stale_after else "degraded",
        "last_heartbeat_seconds": None if beat_age is None else round(beat_age, 1),
    }
    return {"status": "ok", "ms": round((time.monotonic() - started) * 1000, 1)}


def _broker() -> dict[str, Any]:
    url = current_app.config["BROKER_URL"]
    if not url.startswith(("redis://", "rediss://")):
        return {"status": "ok", "kind": urlsplit(url).scheme}
    import redis

    started = time.monotonic()
    client = redis.Redis.from_url(
        url, socket_timeout=CHECK_TIMEOUT, socket_connect_timeout=CHECK_TIMEOUT
    )
    try:
        client.ping()
    except Exception as exc:  # noqa: BLE001 - down, refusing or hanging: all "degraded"
        return {"status": "degraded", "error": type(exc).__name__}
    finally:
        client.close()
    return {"status": "ok", "ms": round((time.monotonic() - started) * 1000, 1)}


def init_app(app: Any) -> None:
    app.register_blueprint(bp)
    csrf.exempt(bp)
