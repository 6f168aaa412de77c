"""Public short links (/s/<code>): count the visit and send the person to the consultation."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from engage.db import get_session
from engage.web.public import bp
from engage.web.public.views import PUBLIC_STATES
from surveys import links
from surveys.models import Channel, Consultation, ConsultationStatus


@bp.get("/s/<code>")
def short_link(code: str) -> ResponseReturnValue:
    session = get_session()
    link = links.find(session, code)
    consultation = session.get(Consultation, link.consultation_id) if link else None
    if link is None or consultation is None or consultation.status not in PUBLIC_STATES:
        # Drafts are not public: their links lead nowhere.
        return render_template("links/not_found.html"), 404
    if request.method == "GET":  # link checkers and previews that ask HEAD are not visitors
        links.record_visit(session, link.id)
        session.commit()
    if consultation.status == ConsultationStatus.SCHEDULED and link.channel != Channel.EMBED:
        # A poster printed before the opening date: show when it opens.
        return redirect(url_for("public.consultation", slug=consultation.slug), 303)
    return redirect(links.target_path(consultation, link), 303)
