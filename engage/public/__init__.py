"""The consultation hub: what anyone can read without signing in."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from engage.db import get_session
from surveys import services
from surveys.models import Consultation, ConsultationStatus

bp = Blueprint("public", __name__)
# States in which a consultation has a public page. Archived ones keep their page (old links
# still work) but leave the hub's lists.
PUBLIC_STATES = (
    ConsultationStatus.OPEN,
    ConsultationStatus.CLOSED,
    ConsultationStatus.PUBLISHED,
    ConsultationStatus.ARCHIVED,
)


def public_consultation(slug: str) -> Consultation:
    consultation = get_session().scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None or consultation.status not in PUBLIC_STATES:
        abort(404)
    return consultation


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


@bp.get("/consultations/<slug>")
def consultation(slug: str) -> ResponseReturnValue:
    item = public_consultation(slug)
    accepting = services.is_accepting(item, datetime.now(UTC))
    return render_template("public/consultation.html", consultation=item, accepting=accepting)


@bp.get("/accessibility")
def accessibility() -> ResponseReturnValue:
    return render_template("public/accessibility.html")


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return {"status": "ok"}


from engage.public import links  # noqa: E402,F401 - registers the short-link route on bp
