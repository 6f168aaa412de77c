"""Pages: a consultation's retention schedule (its officers), and finding a person to export or
erase what is held on them (administrators).

A search is carried between the people pages as an encrypted, hour-long token in the address,
so no email address or name appears in an address, a browser's history or a server log.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import InvalidToken
from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from engage import crypto
from engage.accounts.models import Role
from engage.audit.services import record
from engage.db import get_session
from engage.events.models import Event
from engage.privacy import people, retention, subject_access
from engage.web.auth.guard import role_required
from engage.web.consultations.views import managed_consultation
from engage.web.forms import error_list
from engage.web.privacy import bp
from engage.web.privacy.forms import PERIODS, EraseForm, PersonSearchForm, RetentionForm
from surveys.models import Consultation

QUERY_TTL = 3600  # seconds a search stays usable for export and erasure


def defaults() -> retention.Defaults:
    return retention.Defaults.from_config(current_app.config)


@bp.app_template_global()
def retention_policy(consultation: Consultation) -> retention.Policy:
    """For the consultation page's "Keeping responses" section."""
    return retention.policy(get_session(), consultation, defaults())


@bp.app_template_global()
def event_retention_date(event: Event) -> datetime:
    return retention.event_due_at(event, defaults())


def period_label(days: int) -> str:
    for value, label in PERIODS:
        if int(value) == days:
            return label
    return f"{days} days"


@bp.route("/manage/<int:consultation_id>/retention", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def retention_schedule(consultation_id: int) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    db = get_session()
    current = retention.policy(db, consultation, defaults())
    form = RetentionForm()
    if request.method == "GET":
        form.days.data = str(current.days)
        form.action.data = current.action
    if current.applied_at is None and form.validate_on_submit():
        retention.set_schedule(
            db,
            consultation,
            days=int(form.days.data),
            action=form.action.data,
            actor=current_user,
        )
        record(
            db,
            action="retention.schedule_set",
            actor=current_user,
            target_type="consultation",
            target_id=consultation.id,
            detail={"days": int(form.days.data), "then": form.action.data},
        )
        db.commit()
        flash("The retention schedule has been saved", "success")
        return redirect(url_for("consultations.detail", consultation_id=consultation.id), 303)
    errors = error_list(form)
    return render_template(
        "privacy/retention.html",
        consultation=consultation,
        form=form,
        errors=errors,
        policy=current,
        applied_rows=[
            {"key": {"text": key.replace("_", " ").capitalize()}, "value": {"text": str(value)}}
            for key, value in current.applied_counts.items()
        ],
        default_period=period_label(defaults().days),
        default_action=retention.ACTION_LABELS[retention.RetentionAction(defaults().action)],
    ), (400 if errors else 200)


# People ----------------------------------------------------------------------------------------


def query_token(query: people.Query) -> str:
    return crypto.encrypt(json.dumps(query.as_dict()))


def query_from_request() -> people.Query | None:
    token = request.args.get("q", "")
    if not token:
        return None
    try:
        data = json.loads(crypto.cipher().decrypt(token.encode(), ttl=QUERY_TTL))
    except (InvalidToken, ValueError):
        return None
    return people.Query.clean(**{k: str(data.get(k, "")) for k in ("email", "name", "postcode")})


@bp.route("/admin/people", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def find_person() -> ResponseReturnValue:
    form = PersonSearchForm()
    if form.validate_on_submit():
        asked = people.Query.clean(
            form.email.data or "", form.name.data or "", form.postcode.data or ""
        )
        return redirect(url_for("privacy.find_person", q=query_token(asked)), 303)
    errors = error_list(form)
    query = None if errors else query_from_request()
    if request.args.get("q") and query is None and not errors:
        flash("That search has expired. Search again.", "error")
    found = people.find(get_session(), query) if query else None
    if query and request.method == "GET":
        form.email.data, form.name.data, form.postcode.data = (
            query.email,
            query.name,
            query.postcode,
        )
    return no_store(
        render_template(
            "privacy/people.html",
            form=form,
            errors=errors,
            query=query,
            found=found,
            token=request.args.get("q", "") if query else "",
            fates=_fates(found),
        ),
        400 if errors else 200,
    )


def _fates(found: people.Found | None) -> dict[int, str]:
    if found is None:
        return {}
    db = get_session()
    return {r.id: people.response_fate(db, r) for r in found.responses}


@bp.get("/admin/people/export.json")
@role_required(Role.ADMIN)
def export_person() -> ResponseReturnValue:
    query = query_from_request()
    if query is None:
        return redirect(url_for("privacy.find_person"))
    db = get_session()
    found = people.find(db, query)
    data = subject_access.export(db, query, found)
    subject_access.record_export(
        db, query, found, actor=current_user, secret=current_app.config["SECRET_KEY"]
    )
    db.commit()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={
            "Content-Disposition": f"attachment; filename=subject-access-{stamp}.json",
            "Cache-Control": "no-store",
        },
    )


@bp.route("/admin/people/erase", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def erase_person() -> ResponseReturnValue:
    query = query_from_request()
    if query is None:
        return redirect(url_for("privacy.find_person"))
    db = get_session()
    found = people.find(db, query)
    form = EraseForm()
    if form.validate_on_submit():
        counts = people.erase(
            db,
            query,
            found,
            actor=current_user,
            now=datetime.now(UTC),
            secret=current_app.config["SECRET_KEY"],
        )
        db.commit()
        done = sum(counts.values())
        flash(f"Erased: {done} record{'s' if done != 1 else ''} changed or deleted", "success")
        return redirect(url_for("privacy.find_person", q=query_token(query)), 303)
    errors = error_list(form)
    return no_store(
        render_template(
            "privacy/erase.html",
            form=form,
            errors=errors,
            query=query,
            found=found,
            token=request.args["q"],
            fates=_fates(found),
        ),
        400 if errors else 200,
    )


def no_store(body: str, status: int) -> Any:
    response = current_app.make_response((body, status))
    response.headers["Cache-Control"] = "no-store"
    return response
