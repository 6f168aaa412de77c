from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

from flask import current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError

from engage.db import get_session
from engage.participate import bp
from engage.public import public_consultation
from engage.security import csrf
from surveys import services
from surveys.errors import ConsultationNotOpen
from surveys.models import Consultation
from surveys.questions import Parsed, get_type

TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def render_survey(
    consultation: Consultation,
    *,
    answers: dict[int, Parsed] | None = None,
    errors: list[services.FieldError] | None = None,
    token: str | None = None,
    preview: bool = False,
    notice: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """The whole questionnaire on one page, with any answers and errors shown again."""
    errors = errors or []
    asked = [q for q in consultation.questions if get_type(q.type).has_input]
    numbers = {q.id: n for n, q in enumerate(asked, start=1)}
    return (
        render_template(
            "participate/respond.html",
            consultation=consultation,
            answers=answers or {},
            errors=errors,
            error_for={e.question_id: e.message for e in errors},
            numbers=numbers,
            token=token or secrets.token_urlsafe(24),
            preview=preview,
            notice=notice,
        ),
        status,
    )


@bp.route("/<slug>/respond", methods=["GET", "POST"])
@csrf.exempt  # checked below, so an expired token keeps the person's answers instead of a 400
def respond(slug: str) -> ResponseReturnValue:
    item = public_consultation(slug)
    now = datetime.now(UTC)
    if not services.is_accepting(item, now):
        return render_template("participate/closed.html", consultation=item), 410
    if request.method == "GET":
        return render_survey(item)

    form = request.form
    token = form.get("submission_token", "")
    if not TOKEN.match(token):
        token = secrets.token_urlsafe(24)
    answers, errors = services.parse_answers(item, {k: form.getlist(k) for k in form})
    try:
        if current_app.config["WTF_CSRF_ENABLED"]:
            csrf.protect()
    except CSRFError:
        notice = "Your session had expired. Check your answers and send them again."
        return render_survey(
            item, answers=answers, errors=errors, token=token, notice=notice, status=400
        )
    if errors:
        return render_survey(item, answers=answers, errors=errors, token=token, status=400)

    session = get_session()
    try:
        services.submit_response(session, item, answers, token=token, now=now)
        session.commit()
    except ConsultationNotOpen:
        session.rollback()
        return render_template("participate/closed.html", consultation=item), 410
    except IntegrityError:
        # Two submits of the same form raced; the other one stored the response.
        session.rollback()
    return redirect(url_for("participate.thank_you", slug=item.slug), 303)


@bp.get("/<slug>/thank-you")
def thank_you(slug: str) -> ResponseReturnValue:
    return render_template("participate/thank_you.html", consultation=public_consultation(slug))
