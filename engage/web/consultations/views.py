from __future__ import annotations

from datetime import UTC, datetime, time

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import or_, select

from engage.accounts.models import Role
from engage.codebooks import services as codebooks
from engage.codebooks.models import Codebook
from engage.curation.runs import request_analysis
from engage.db import get_session
from engage.findings import services as findings
from engage.findings.models import AnalysisRun
from engage.web.auth.guard import role_required
from engage.web.consultations import bp
from engage.web.consultations.forms import ActionForm, AnalysisForm
from engage.web.forms import SelectChoice, error_list
from engage.web.participate.journey import ABOUT_YOU, CHECK, Journey, form_values, key_is_valid
from engage.web.participate.views import render_for, take_step
from surveys import services
from surveys.errors import SurveyError
from surveys.models import (
    Consultation,
    ConsultationStatus,
    Organisation,
    consultation_co_owners,
)
from surveys.questions import get_type

SETTINGS_FIELDS = (
    "max_choices",
    "max_length",
    "display",
    "rows",
    "min_value",
    "max_value",
    "postcodes",
    "allow_other",
)
OPENS_AT = time(9, 0)
CLOSES_AT = time(23, 59)


def managed_consultation(consultation_id: int) -> Consultation:
    """A consultation the signed-in officer may change: their organisation owns or co-owns it."""
    consultation = get_session().get(Consultation, consultation_id)
    if consultation is None:
        abort(404)
    if (
        current_user.role != Role.ADMIN
        and current_user.organisation_id not in consultation.owner_ids()
    ):
        abort(403)
    return consultation


def organisation_choices() -> list[SelectChoice]:
    session = get_session()
    if current_user.role == Role.ADMIN:
        orgs = list(session.scalars(select(Organisation).order_by(Organisation.name)))
    else:
        orgs = [current_user.organisation] if current_user.organisation else []
    return [SelectChoice(o.id, o.name) for o in orgs]


@bp.get("/")
@role_required(Role.OFFICER)
def index() -> ResponseReturnValue:
    stmt = select(Consultation).order_by(Consultation.created_at.desc())
    if current_user.role != Role.ADMIN:
        co_owned = select(consultation_co_owners.c.consultation_id).where(
            consultation_co_owners.c.organisation_id == current_user.organisation_id
        )
        stmt = stmt.where(
            or_(
                Consultation.organisation_id == current_user.organisation_id,
                Consultation.id.in_(co_owned),
            )
        )
    session = get_session()
    consultations = session.scalars(stmt).all()
    counts = services.response_counts(session, [c.id for c in consultations])
    return render_template("consultations/index.html", consultations=consultations, counts=counts)


@bp.get("/<int:consultation_id>")
@role_required(Role.OFFICER)
def detail(consultation_id: int) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    session = get_session()
    return render_template(
        "consultations/detail.html",
        consultation=consultation,
        responses=services.response_count(session, consultation.id),
        runs=findings.latest_runs(session, consultation.id),
        free_text=bool(findings.free_text_questions(consultation)),
        action=ActionForm(),
        get_type=get_type,
    )


@bp.get("/<int:consultation_id>/preview")
@role_required(Role.OFFICER)
def preview(consultation_id: int) -> ResponseReturnValue:
    """The survey as residents will see it, page by page; nothing entered here is stored."""
    journey = Journey.from_preview_state(managed_consultation(consultation_id), None)
    if not journey.steps():
        flash("Add a question before previewing the survey", "error")
        return redirect(url_for("consultations.detail", consultation_id=consultation_id))
    return render_for(journey, journey.steps()[0])


@bp.post("/<int:consultation_id>/preview/<step>")
@role_required(Role.OFFICER)
def preview_step(consultation_id: int, step: str) -> ResponseReturnValue:
    """One step of the preview: the answers so far travel in a signed form field."""
    journey = Journey.from_preview_state(
        managed_consultation(consultation_id), request.form.get("state")
    )
    target: str | int = int(step) if step.isdigit() else step
    if target not in (CHECK, ABOUT_YOU) and not isinstance(target, int):
        abort(404)
    if not key_is_valid(journey.token, request.form.get("form_key")):
        abort(400)
    if request.form.get("action") == "goto" or target == CHECK:
        return render_for(journey, target)
    answers, errors = take_step(journey, target, form_values(request.form))
    if errors:
        return render_for(journey, target, answers=answers, errors=errors, status=400)
    changing = request.form.get("change") == "1"
    return render_for(journey, journey.next_step(target, changing=changing))


def _change_state(consultation_id: int, change: str) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    session = get_session()
    now = datetime.now(UTC)
    runs: list[AnalysisRun] = []
    try:
        if change == "open":
            services.open_consultation(session, consultation, now=now)
            message = (
                "Consultation is open for responses"
                if consultation.status == ConsultationStatus.OPEN
                else "Consultation is scheduled to open on its opening date"
            )
        else:
            services.close_consultation(session, consultation, now=now)
            message = "Consultation closed"
            if findings.free_text_questions(consultation):
                runs.append(
                    request_analysis(
                        session, consultation, trigger="closing", requested_by_id=current_user.id
                    )
                )
                message += ". Themes are being found in the free-text answers."
    except SurveyError as exc:
        session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("consultations.detail", consultation_id=consultation.id))
    session.commit()  # a queued run is its own outbox entry: the dispatcher hands it to Redis
    flash(message, "success")
    return redirect(url_for("consultations.detail", consultation_id=consultation.id))


@bp.post("/<int:consultation_id>/open")
@role_required(Role.OFFICER)
def open_(consultation_id: int) -> ResponseReturnValue:
    return _change_state(consultation_id, "open")


@bp.post("/<int:consultation_id>/close")
@role_required(Role.OFFICER)
def close(consultation_id: int) -> ResponseReturnValue:
    return _change_state(consultation_id, "close")


@bp.route("/<int:consultation_id>/analysis", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def start_analysis(consultation_id: int) -> ResponseReturnValue:
    """Choose how to find themes (freely, or mapped onto a codebook) and start a run."""
    consultation = managed_consultation(consultation_id)
    if not findings.free_text_questions(consultation):
        flash("This consultation has no free-text questions to analyse", "error")
        return redirect(url_for("consultations.detail", consultation_id=consultation.id))
    session = get_session()
    usable = {f"codebook-{c.id}": c for c in codebooks.usable(session, current_user)}
    form = AnalysisForm()
    form.method.choices = [SelectChoice("free", "Find themes automatically")] + [
        SelectChoice(key, f"Map to codebook: {c.name}") for key, c in usable.items()
    ]
    if request.method == "POST":
        if not form.validate_on_submit():  # the app's CSRF check has already passed here
            form.method.errors = ["Choose one of the ways shown: a codebook may have been deleted"]
        else:
            chosen = usable.get(form.method.data or "")
            params = codebooks.run_params(chosen) if chosen else {"mode": codebooks.MODE_FREE}
            run = request_analysis(
                session,
                consultation,
                trigger="officer",
                requested_by_id=current_user.id,
                params=params,
            )
            # The queued run is its own outbox entry: the dispatcher hands it to the broker
            # within seconds, so the officer never waits on (or fails with) Redis.
            session.commit()
            return redirect(url_for("consultations.run", run_id=run.id), 303)
    errors = error_list(form)
    hints = [{"hint": {"text": "Themes are found in the answers themselves"}}] + [
        {"hint": {"text": codebook_hint(c)}} for c in usable.values()
    ]
    return render_template(
        "consultations/analysis.html",
        consultation=consultation,
        form=form,
        errors=errors,
        hints=hints,
    ), (400 if errors else 200)


def codebook_hint(codebook: Codebook) -> str:
    count = len(codebook.themes)
    owner = codebook.organisation.name
    return f"{count} theme{'s' if count != 1 else ''}, from {owner}"


def managed_run(run_id: int) -> AnalysisRun:
    run = get_session().get(AnalysisRun, run_id)
    if run is None:
        abort(404)
    managed_consultation(run.consultation_id)
    return run


@bp.get("/runs/<int:run_id>")
@role_required(Role.OFFICER)
def run(run_id: int) -> ResponseReturnValue:
    item = managed_run(run_id)
    consultation = get_session().get(Consultation, item.consultation_id)
    return render_template("consultations/run.html", run=item, consultation=consultation)


@bp.get("/runs/<int:run_id>.json")
@role_required(Role.OFFICER)
def run_status(run_id: int) -> ResponseReturnValue:
    item = managed_run(run_id)
    return {
        "status": item.status,
        "progress": item.progress,
        "message": item.message,
        "error": item.error,
        "finished": item.finished,
    }
