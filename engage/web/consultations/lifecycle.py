"""A consultation's life: creating (blank, from a template or a copy), editing its details and
documents, publishing "We asked, you said, we did", and archiving."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from engage.accounts.models import Role
from engage.audit import services as audit
from engage.curation import services as curation
from engage.curation import we_asked
from engage.db import get_session
from engage.web.auth.guard import role_required
from engage.web.consultations import bp
from engage.web.consultations.forms import ActionForm, ConsultationForm
from engage.web.consultations.lifecycle_forms import DetailsForm, ResultsForm
from engage.web.consultations.views import (
    CLOSES_AT,
    OPENS_AT,
    managed_consultation,
    organisation_choices,
)
from engage.web.forms import SelectChoice, error_list
from surveys import definitions, services
from surveys import lifecycle as rules
from surveys.documents import describe
from surveys.errors import SurveyError
from surveys.models import TOPICS, Consultation, ConsultationStatus, Document, Organisation

BLANK = "blank"


@bp.app_template_global()
def topic_label(key: str) -> str:
    return TOPICS.get(key, "")


@bp.app_template_global()
def document_description(document: Document) -> str:
    return describe(document)


@bp.app_template_global()
def results_published(consultation: Consultation) -> bool:
    return rules.has_results(consultation)


def back_to(consultation: Consultation) -> ResponseReturnValue:
    return redirect(url_for("consultations.detail", consultation_id=consultation.id))


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def new() -> ResponseReturnValue:
    templates = definitions.available()
    form = ConsultationForm()
    form.organisation_id.choices = organisation_choices()
    form.start.choices = [SelectChoice(BLANK, "A blank consultation")] + [
        SelectChoice(key, f"From the template: {d.name}") for key, d in templates.items()
    ]
    hints = [{"hint": {"text": "Add your own pages and questions"}}] + [
        {"hint": {"text": d.description}} for d in templates.values()
    ]
    if form.validate_on_submit():
        session = get_session()
        fields = {
            "title": form.title.data or "",
            "summary": form.summary.data or "",
            "organisation_id": form.organisation_id.data,
            "opens_at": form.opens.at(OPENS_AT),
            "closes_at": form.closes.at(CLOSES_AT),
            "created_by_id": current_user.id,
        }
        if form.start.data == BLANK:
            consultation = services.create_consultation(session, **fields)
            message = "Consultation created. Now add its questions."
        else:
            partners = session.scalars(select(Organisation.name).order_by(Organisation.name))
            template = templates[form.start.data or ""]
            consultation = definitions.build(session, template, partners=list(partners), **fields)
            message = f"Consultation created from the template “{template.name}”. Check its "
            message += "questions and details before you open it."
        session.commit()
        flash(message, "success")
        return back_to(consultation)
    status = 400 if form.errors else 200
    return render_template(
        "consultations/new.html", form=form, errors=error_list(form), start_hints=hints
    ), status


@bp.route("/<int:consultation_id>/details", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def edit_details(consultation_id: int) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    if consultation.status == ConsultationStatus.ARCHIVED:
        flash("An archived consultation cannot be changed", "error")
        return back_to(consultation)
    form = DetailsForm(obj=None if request.method == "POST" else consultation)
    places = list(current_app.config["LOCALITIES"])
    places += [p for p in consultation.localities if p not in places]
    form.localities.choices = [SelectChoice(p, p) for p in places]
    if request.method == "GET":
        form.opens.data = consultation.opens_at.date() if consultation.opens_at else None
        form.closes.data = consultation.closes_at.date() if consultation.closes_at else None
        form.anonymous.data = "yes" if consultation.anonymous else "no"
        form.equalities.data = "yes" if consultation.equalities else "no"
    service_error = None
    if form.validate_on_submit():
        try:
            rules.update_details(
                get_session(),
                consultation,
                title=form.title.data or "",
                summary=form.summary.data or "",
                opens_at=_keep_time(form.opens.at(OPENS_AT), consultation.opens_at),
                closes_at=_keep_time(form.closes.at(CLOSES_AT), consultation.closes_at),
                topic=form.topic.data or "",
                localities=form.localities.data or [],
                other_ways=form.other_ways.data or "",
                anonymous=form.anonymous.data == "yes",
                equalities=form.equalities.data == "yes",
            )
        except SurveyError as exc:
            get_session().rollback()
            service_error = str(exc)
            form.opens.errors = [service_error]
        else:
            get_session().commit()
            flash("Details saved", "success")
            return back_to(consultation)
    errors = error_list(form)
    return render_template(
        "consultations/details.html", form=form, consultation=consultation, errors=errors
    ), (400 if errors else 200)


def _keep_time(chosen: datetime | None, current: datetime | None) -> datetime | None:
    """Keep the stored time of day when the date is unchanged (a consultation opened at 14:05
    must not move to 09:00 because its details were saved)."""
    if chosen and current and chosen.date() == current.astimezone(UTC).date():
        return current
    return chosen


@bp.route("/<int:consultation_id>/results", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def results(consultation_id: int) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    if consultation.status not in rules.RESULT_STATES:
        flash("Results can only be published once the consultation has closed", "error")
        return back_to(consultation)
    form = ResultsForm(obj=consultation)
    session = get_session()
    themes = curation.publishable(session, consultation.id)
    notice = None
    if request.method == "POST" and form.draft.data:
        we_asked_draft, you_said_draft = we_asked.draft(session, consultation)
        if not you_said_draft:
            notice = "Approve the curated themes of a question first: the draft is made from them"
        else:
            typed = (form.you_said.data or "").strip()
            if typed.startswith(you_said_draft):  # drafted again: keep only what they added
                typed = typed[len(you_said_draft) :].strip()
            kept = bool(typed)
            form.you_said.data = you_said_draft + (f"\n\n{typed}" if kept else "")
            form.we_asked.data = form.we_asked.data or we_asked_draft
            notice = (
                "‘You said’ is drafted from the approved themes, largest first"
                + (", with your earlier text kept below it" if kept else "")
                + ". Check and edit it, then preview before you publish"
            )
        return _results_page(form, consultation, themes, notice=notice)
    if request.method == "POST" and form.preview.data and form.validate():
        ticked = {int(t) for t in request.form.getlist("theme") if t.isdigit()}
        shown = [t for t in themes if t[0].id in ticked]
        return _results_page(form, consultation, themes, preview=shown)
    if form.validate_on_submit():  # Publish, or a form sent without naming a button
        chosen = [int(t) for t in request.form.getlist("theme") if t.isdigit()]
        curation.choose_published(session, consultation.id, chosen, user_id=current_user.id)
        rules.publish_results(
            get_session(),
            consultation,
            we_asked=form.we_asked.data or "",
            you_said=form.you_said.data or "",
            we_did=form.we_did.data or "",
            now=datetime.now(UTC),
        )
        audit.record(
            session,
            action="results.publish",
            actor=current_user,
            target_type="consultation",
            target_id=consultation.id,
            detail={"themes": sorted(t.id for t, _, _ in themes if t.published)},
        )
        get_session().commit()
        flash("Results published on the consultation’s public page", "success")
        return back_to(consultation)
    return _results_page(form, consultation, themes)


def _results_page(
    form: ResultsForm,
    consultation: Consultation,
    themes: list,
    *,
    notice: str | None = None,
    preview: list | None = None,
) -> ResponseReturnValue:
    errors = error_list(form) if notice is None else []
    return render_template(
        "consultations/results.html",
        form=form,
        consultation=consultation,
        errors=errors,
        themes=themes,
        notice=notice,
        preview=preview,
        chosen=(
            request.form.getlist("theme")
            if request.method == "POST"
            else [str(t.id) for t, _, _ in themes if t.published]
        ),
    ), (400 if errors else 200)


@bp.post("/<int:consultation_id>/archive")
@role_required(Role.OFFICER)
def archive(consultation_id: int) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        rules.archive(get_session(), consultation, now=datetime.now(UTC))
    except SurveyError as exc:
        get_session().rollback()
        flash(str(exc), "error")
        return back_to(consultation)
    get_session().commit()
    flash("Consultation archived. It has left the hub’s lists; its page still works.", "success")
    return back_to(consultation)


@bp.post("/<int:consultation_id>/copy")
@role_required(Role.OFFICER)
def copy(consultation_id: int) -> ResponseReturnValue:
    source = managed_consultation(consultation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    session = get_session()
    consultation = rules.copy_consultation(session, source, created_by_id=current_user.id)
    session.commit()
    flash("This is a new draft copied from the original. Change its title and dates.", "success")
    return back_to(consultation)
