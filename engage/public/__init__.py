"""The consultation hub: what anyone can read without signing in."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from engage.db import get_session
from surveys.models import Consultation, ConsultationStatus

bp = Blueprint("public", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    session = get_session()
    now = datetime.now(UTC)
    listed = session.scalars(
        select(Consultation)
        .where(Consultation.status.in_([ConsultationStatus.OPEN, ConsultationStatus.CLOSED]))
        .order_by(Consultation.closes_at.desc())
    ).all()
    open_now = [c for c in listed if c.status == ConsultationStatus.OPEN]
    closed = [c for c in listed if c.status == ConsultationStatus.CLOSED]
    return render_template("public/index.html", open_now=open_now, closed=closed, now=now)


@bp.get("/accessibility")
def accessibility() -> ResponseReturnValue:
    return render_template("public/accessibility.html")


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return {"status": "ok"}
