"""The survey builder: officers add, edit, move and remove pages and questions, and set routing."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from engage.accounts.models import Role
from engage.auth import role_required
from engage.consultations import bp
from engage.consultations.forms import QuestionForm
from engage.consultations.views import SETTINGS_FIELDS, managed_consultation
from engage.db import get_session
from engage.forms import error_list
from surveys import services
from surveys.errors import SurveyError
from surveys.models import ConsultationStatus, Question
from surveys.questions import get_type


@bp.route("/<int:consultation_id>/questions/new", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def add_question(consultation_id: int) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    if consultation.status != ConsultationStatus.DRAFT:
        flash("Questions can only be added while the consultation is a draft", "error")
        return redirect(url_for("consultations.detail", consultation_id=consultation.id))
    form = QuestionForm()
    service_error = None
    if form.validate_on_submit():
        qtype = get_type(form.type.data or "")
        try:
            services.add_question(
                get_session(),
                consultation,
                type=qtype.key,
                title=form.title.data or "",
                hint=form.hint.data or "",
                required=form.required.data == "yes",
                options=(form.options.data or "").splitlines()
                or (current_app.config["LOCALITIES"] if qtype.key == "locality" else []),
                settings=qtype.settings_from_form(
                    {name: getattr(form, name).data for name in SETTINGS_FIELDS}
                ),
            )
        except SurveyError as exc:
            get_session().rollback()
            field = form.rows if "row" in str(exc) else form.options
            field.errors = [str(exc)]
            service_error = str(exc)
        else:
            get_session().commit()
            flash("Question added", "success")
            return redirect(url_for("consultations.detail", consultation_id=consultation.id))
    errors = error_list(form)
    status = 400 if errors or service_error else 200
    return render_template(
        "consultations/question.html", form=form, consultation=consultation, errors=errors
    ), status


@bp.post("/<int:consultation_id>/questions/<int:question_id>/delete")
@role_required(Role.OFFICER)
def delete_question(consultation_id: int, question_id: int) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    question = get_session().get(Question, question_id)
    if question is None or question.consultation_id != consultation.id:
        abort(404)
    if consultation.status != ConsultationStatus.DRAFT:
        abort(409)
    services.remove_question(get_session(), consultation, question)
    get_session().commit()
    flash("Question removed", "success")
    return redirect(url_for("consultations.detail", consultation_id=consultation.id))
