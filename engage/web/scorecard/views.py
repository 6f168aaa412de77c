"""The year-on-year pages (officers and JOG members) and the officer's scorecard settings."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from engage.accounts.models import Role
from engage.audit import services as audit
from engage.db import get_session
from engage.scorecard import services as scorecard
from engage.scorecard.download import table_csv, table_xlsx
from engage.web.auth.guard import role_required
from engage.web.consultations.forms import ActionForm
from engage.web.consultations.views import managed_consultation
from engage.web.forms import error_list
from engage.web.scorecard import bp
from engage.web.scorecard.forms import NONE, NominationsFileForm, PreviousForm, nominations_form
from surveys import services
from surveys.errors import SurveyError
from surveys.exports import XLSX_TYPE
from surveys.models import Consultation, ConsultationStatus

READERS = (Role.JOG, Role.OFFICER)


@bp.app_template_global()
def year_label(consultation: Consultation) -> str:
    return scorecard.year_label(consultation)


def may_manage(consultation: Consultation) -> bool:
    return current_user.role == Role.ADMIN or (
        current_user.role == Role.OFFICER
        and current_user.organisation_id in consultation.owner_ids()
    )


def readable(consultation_id: int) -> Consultation:
    """A survey with statements the reader may see; a draft only for the officers running it."""
    item = get_session().get(Consultation, consultation_id)
    if item is None or not scorecard.has_statements(item):
        abort(404)
    if item.status in (ConsultationStatus.DRAFT, ConsultationStatus.SCHEDULED) and not may_manage(
        item
    ):
        abort(404)
    return item


def back_to(consultation: Consultation) -> ResponseReturnValue:
    return redirect(url_for("scorecard.consultation", consultation_id=consultation.id))


@bp.get("/")
@role_required(*READERS)
def index() -> ResponseReturnValue:
    session = get_session()
    items = scorecard.scorecards(session)
    counts = services.response_counts(session, [c.id for c in items])
    return render_template("scorecard/index.html", items=items, counts=counts)


@bp.get("/<int:consultation_id>")
@role_required(*READERS)
def consultation(consultation_id: int) -> ResponseReturnValue:
    item = readable(consultation_id)
    yoy = scorecard.year_on_year(get_session(), item)
    partner = request.args.get("partner", scorecard.ALL)
    names = dict(yoy.partners)
    if partner not in names:
        partner = scorecard.ALL
    return render_template(
        "scorecard/consultation.html",
        c=item,
        yoy=yoy,
        partner=partner,
        partner_name=names.get(partner, "All partners"),
        partner_items=[
            {"value": value, "text": label, "selected": value == partner}
            for value, label in [(scorecard.ALL, "All partners"), *yoy.partners]
        ],
        sections=yoy.sections(partner),
        year=scorecard.year_label(item),
        last_year=scorecard.year_label(yoy.previous) if yoy.previous else None,
        earlier=scorecard.series(item),
        later=scorecard.followers(get_session(), item),
        manage=may_manage(item),
        action=ActionForm(),
    )


@bp.get("/<int:consultation_id>/year-on-year.<any(csv, xlsx):fmt>")
@role_required(*READERS)
def download(consultation_id: int, fmt: str) -> ResponseReturnValue:
    item = readable(consultation_id)
    session = get_session()
    yoy = scorecard.year_on_year(session, item)
    data = table_xlsx(yoy) if fmt == "xlsx" else table_csv(yoy)
    audit.record(
        session,
        action="export.scorecard",
        actor=current_user,
        target_type="consultation",
        target_id=item.id,
        detail={"format": fmt},
    )
    session.commit()
    return Response(
        data,
        mimetype=XLSX_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{item.slug}-year-on-year.{fmt}"',
            "Cache-Control": "no-store",
        },
    )


def _nominations_page(
    item: Consultation, form: object = None, upload: NominationsFileForm | None = None
) -> ResponseReturnValue:
    session = get_session()
    question = scorecard.partner_question(session, item)
    if question is None:
        flash("This survey does not ask which partner organisation people work for", "error")
        return back_to(item)
    if form is None:
        form = nominations_form(
            question.options, scorecard.nominations(session, item.id), _last_year_hints(item)
        )
    upload = upload or NominationsFileForm()
    errors = error_list(form) + error_list(upload)
    return render_template(
        "scorecard/nominations.html", c=item, form=form, upload=upload, errors=errors
    ), (400 if errors else 200)


def _last_year_hints(item: Consultation) -> dict[str, str]:
    """ "2025: 40" under each partner, when the survey follows one with nominations."""
    if item.previous is None:
        return {}
    year = scorecard.year_label(item.previous)
    then = scorecard.previous_nominations(get_session(), item)
    return {value: f"{year}: {count}" for value, count in then.items()}


@bp.route("/<int:consultation_id>/nominations", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def nominations(consultation_id: int) -> ResponseReturnValue:
    item = managed_consultation(consultation_id)
    if not scorecard.has_statements(item):
        abort(404)
    if request.method == "GET":
        return _nominations_page(item)
    session = get_session()
    question = scorecard.partner_question(session, item)
    if question is None:
        return _nominations_page(item)
    form = nominations_form(question.options, {}, _last_year_hints(item))
    if not form.validate_on_submit():
        return _nominations_page(item, form)
    counts = {f.name.removeprefix("n_"): f.data for f in form.counts}
    scorecard.save_nominations(session, item, counts)
    session.commit()
    flash("Nominated numbers saved", "success")
    return back_to(item)


@bp.post("/<int:consultation_id>/nominations/file")
@role_required(Role.OFFICER)
def nominations_file(consultation_id: int) -> ResponseReturnValue:
    item = managed_consultation(consultation_id)
    if not scorecard.has_statements(item):
        abort(404)
    upload = NominationsFileForm()
    if not upload.validate_on_submit():
        return _nominations_page(item, upload=upload)
    session = get_session()
    question = scorecard.partner_question(session, item)
    try:
        if question is None:
            raise SurveyError("This survey does not ask which partner organisation people work for")
        text = upload.file.data.read().decode("utf-8-sig")
        counts = scorecard.read_nominations_csv(text, question.options)
        scorecard.save_nominations(session, item, counts)
    except (SurveyError, UnicodeDecodeError) as exc:
        session.rollback()
        message = str(exc) if isinstance(exc, SurveyError) else "Save the file as CSV (UTF-8)"
        upload.file.errors = [message]
        return _nominations_page(item, upload=upload)
    session.commit()
    flash(f"Nominated numbers saved for {len(counts)} organisations", "success")
    return back_to(item)


@bp.route("/<int:consultation_id>/follows", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def follows(consultation_id: int) -> ResponseReturnValue:
    item = managed_consultation(consultation_id)
    if not scorecard.has_statements(item):
        abort(404)
    session = get_session()
    choices = scorecard.earlier_choices(session, item)
    form = PreviousForm()
    form.set_choices([(c.id, f"{c.title} ({scorecard.year_label(c)})") for c in choices])
    if request.method == "GET":
        form.previous.data = str(item.previous_id) if item.previous_id else NONE
    if form.validate_on_submit():
        data = form.previous.data or ""
        try:
            if not data.isdigit() and data != NONE:
                raise SurveyError("Choose one of the earlier surveys listed")
            scorecard.set_previous(session, item, int(data) if data.isdigit() else None)
        except SurveyError as exc:
            session.rollback()
            form.previous.errors = [str(exc)]
        else:
            session.commit()
            flash("Saved. The year-on-year figures compare with the survey you chose.", "success")
            return back_to(item)
    errors = error_list(form)
    return render_template(
        "scorecard/follows.html", c=item, form=form, errors=errors, choices=choices
    ), (400 if errors else 200)


@bp.post("/<int:consultation_id>/next-year")
@role_required(Role.OFFICER)
def next_year(consultation_id: int) -> ResponseReturnValue:
    source = managed_consultation(consultation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    session = get_session()
    copy = scorecard.copy_as_next_year(session, source, created_by_id=current_user.id)
    session.commit()
    flash(
        f"This is next year’s survey, copied from “{source.title}”. Its answers will be compared "
        "with last year’s. Check its title and dates, and record the nominated staff.",
        "success",
    )
    return redirect(url_for("consultations.detail", consultation_id=copy.id))
