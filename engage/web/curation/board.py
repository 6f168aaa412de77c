"""Strategic priorities (officers keep them), runs against them, and the priority-setting board
where JOG members read the evidence, comment and record recommendations to the CPP Board."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from engage.accounts.models import Role, User
from engage.curation import board as priorities
from engage.curation.models import StrategicPriority
from engage.curation.runs import request_analysis
from engage.curation.services import CurationError
from engage.db import get_session
from engage.web.auth.guard import role_required
from engage.web.consultations.forms import ActionForm
from engage.web.curation import bp
from engage.web.curation.views import may_curate
from surveys.models import Consultation


def checked_form() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


@bp.route("/priorities", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def priority_list() -> ResponseReturnValue:
    session = get_session()
    error = None
    if request.method == "POST":
        checked_form()
        number = request.form.get("id", "")
        existing = session.get(StrategicPriority, int(number)) if number.isdigit() else None
        try:
            priorities.save_priority(
                session,
                existing,
                title=request.form.get("title", ""),
                description=request.form.get("description", ""),
                examples=request.form.get("examples", "").splitlines(),
                active=request.form.get("active", "yes") == "yes",
                user_id=current_user.id,
            )
        except CurationError as exc:
            session.rollback()
            error = str(exc)
        else:
            session.commit()
            flash("Priority saved", "success")
            return redirect(url_for("curation.priority_list"), 303)
    return render_template(
        "curation/priorities.html",
        priorities=priorities.priorities(session),
        error=error,
        entered=request.form,
        action=ActionForm(),
    ), (400 if error else 200)


@bp.post("/consultations/<int:consultation_id>/priorities-run")
@role_required(Role.OFFICER)
def run_against_priorities(consultation_id: int) -> ResponseReturnValue:
    checked_form()
    session = get_session()
    item = session.get(Consultation, consultation_id)
    if item is None:
        abort(404)
    if not may_curate(item):
        abort(403)
    try:
        params = priorities.run_params(session)
    except CurationError as exc:
        flash(str(exc), "error")
        return redirect(url_for("findings.consultation", consultation_id=item.id), 303)
    run = request_analysis(
        session, item, trigger="officer", requested_by_id=current_user.id, params=params
    )
    session.commit()  # the queued run is its own outbox entry: the dispatcher sends it
    return redirect(url_for("consultations.run", run_id=run.id), 303)


@bp.get("/board")
@role_required(Role.JOG, Role.OFFICER)
def board() -> ResponseReturnValue:
    return board_page()


def board_page(error: str | None = None, field: str = "") -> Any:
    session = get_session()
    rows, emerging = priorities.board(session, current_app.config["LOCALITIES"])
    ids = {n.user_id for r in rows for n in (*r.comments, *r.recommendations)}
    people = {u.id: u.name for u in session.scalars(select(User).where(User.id.in_(ids)))}
    body = render_template(
        "curation/board.html",
        rows=rows,
        emerging=emerging,
        people=people,
        can_note=current_user.has_role(Role.JOG),
        error=error,
        field=field,
        entered=request.form,
        action=ActionForm(),
    )
    return body, (400 if error else 200)


@bp.post("/board/<int:priority_id>/<any(comment, recommendation):kind>")
@role_required(Role.JOG)
def note(priority_id: int, kind: str) -> ResponseReturnValue:
    checked_form()
    session = get_session()
    priority = session.get(StrategicPriority, priority_id)
    if priority is None:
        abort(404)
    try:
        priorities.add_note(
            session, priority, kind=kind, text=request.form.get("text", ""), user_id=current_user.id
        )
    except CurationError as exc:
        session.rollback()
        return board_page(str(exc), f"{kind}-{priority_id}")
    session.commit()
    flash("Comment added" if kind == "comment" else "Recommendation recorded", "success")
    return redirect(url_for("curation.board") + f"#priority-{priority_id}", 303)
