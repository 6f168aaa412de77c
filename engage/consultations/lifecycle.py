"""A consultation's life: creating (blank, from a template or a copy), editing its details and
documents, publishing "We asked, you said, we did", and archiving."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from engage.accounts.models import Role
from engage.auth import role_required
from engage.consultations import bp
from engage.consultations.forms import ConsultationForm
from engage.consultations.views import CLOSES_AT, OPENS_AT, organisation_choices
from engage.db import get_session
from engage.forms import error_list
from surveys import services


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def new() -> ResponseReturnValue:
    form = ConsultationForm()
    form.organisation_id.choices = organisation_choices()
    if form.validate_on_submit():
        session = get_session()
        consultation = services.create_consultation(
            session,
            title=form.title.data or "",
            summary=form.summary.data or "",
            organisation_id=form.organisation_id.data,
            opens_at=form.opens.at(OPENS_AT),
            closes_at=form.closes.at(CLOSES_AT),
            created_by_id=current_user.id,
        )
        session.commit()
        flash("Consultation created. Now add its questions.", "success")
        return redirect(url_for("consultations.detail", consultation_id=consultation.id))
    status = 400 if form.errors else 200
    return render_template("consultations/new.html", form=form, errors=error_list(form)), status
