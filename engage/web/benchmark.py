"""The bare endpoint ``bench/load.py`` compares the submission path with: same stack (Flask,
SQLAlchemy session, PostgreSQL commit), one row, no survey. Registered only when
``ENGAGE_BENCH_ENDPOINT=1``, which production refuses."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, Flask

from engage.db import get_session
from engage.outbox import TaskOutbox
from engage.web.security import csrf
from surveys.base import utcnow

bp = Blueprint("benchmark", __name__)


@bp.post("/bench/insert")
def insert() -> Any:
    session = get_session()
    now = utcnow()
    # Marked published and done, so the dispatcher never sends it anywhere.
    session.add(
        TaskOutbox(
            task="bench", args=[], key=f"bench:{uuid.uuid4().hex}", published_at=now, done_at=now
        )
    )
    session.commit()
    return "", 204


def init_app(app: Flask) -> None:
    if app.config.get("BENCH_ENDPOINT"):
        app.register_blueprint(bp)
        csrf.exempt(bp)
