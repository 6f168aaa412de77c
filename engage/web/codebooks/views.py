"""Codebook pages: officers create, upload, edit and share the themes answers are mapped onto."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from analysis import pii
from analysis.codebook_file import CodebookError
from engage.accounts.models import Role
from engage.audit import services as audit
from engage.codebooks import services as codebooks
from engage.codebooks.models import Codebook
from engage.db import get_session
from engage.findings import services as findings
from engage.findings.models import AnalysisRun, QuestionAnalysis
from engage.web.auth.guard import role_required
from engage.web.codebooks import bp
from engage.web.codebooks.forms import MAX_UPLOAD_BYTES, CodebookForm, ThemeForm, UploadForm
from engage.web.consultations.forms import ActionForm
from engage.web.findings import access
from engage.web.forms import error_list
from surveys.models import Consultation, Question

UPLOAD_LIMIT = 3 * MAX_UPLOAD_BYTES  # a little too big is read and explained, not refused
TOO_BIG = f"The selected file must be smaller than {MAX_UPLOAD_BYTES // 1024**2} MB"


def readable_codebook(codebook_id: int) -> Codebook:
    codebook = get_session().get(Codebook, codebook_id)
    if codebook is None:
        abort(404)
    if not codebooks.can_read(current_user, codebook):
        abort(404)  # another partner's private codebook: as if it did not exist
    return codebook


def changeable_codebook(codebook_id: int) -> Codebook:
    codebook = readable_codebook(codebook_id)
    if not codebooks.can_change(current_user, codebook):
        abort(403)
    return codebook


def page(template: str, form: Any = None, status: int = 200, **context: Any) -> Any:
    errors = error_list(form) if form is not None else []
    body = render_template(template, form=form, errors=errors, **context)
    return body, (400 if errors and status == 200 else status)


@bp.get("/")
@role_required(Role.OFFICER)
def index() -> ResponseReturnValue:
    items = codebooks.readable(get_session(), current_user)
    return render_template("codebooks/index.html", codebooks=items)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def new() -> ResponseReturnValue:
    form = CodebookForm()
    if form.validate_on_submit():
        session = get_session()
        codebook = codebooks.create(
            session,
            name=form.name.data or "",
            organisation_id=own_organisation(),
            shared=bool(form.shared.data),
            created_by_id=current_user.id,
        )
        session.commit()
        flash(f"Codebook created: {codebook.name}. Now add its themes.", "success")
        return redirect(url_for("codebooks.show", codebook_id=codebook.id), 303)
    return page("codebooks/new.html", form)


def own_organisation() -> int:
    if current_user.organisation_id is None:
        abort(403)
    return int(current_user.organisation_id)


@bp.route("/upload", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def upload() -> ResponseReturnValue:
    form = UploadForm()
    if form.validate_on_submit():
        data = form.file.data.read(MAX_UPLOAD_BYTES + 1)
        filename = form.file.data.filename or "The file"
        session = get_session()
        try:
            if len(data) > MAX_UPLOAD_BYTES:
                raise CodebookError(TOO_BIG)
            themes = codebooks.read_upload(filename, data)
            codebook = codebooks.create(
                session,
                name=form.name.data or "",
                organisation_id=own_organisation(),
                shared=bool(form.shared.data),
                created_by_id=current_user.id,
                themes=themes,
            )
        except CodebookError as exc:
            session.rollback()
            form.file.errors = [str(exc)]
        else:
            session.commit()
            count = len(codebook.themes)
            flash(f"Codebook uploaded: {codebook.name}, with {count} themes", "success")
            return redirect(url_for("codebooks.show", codebook_id=codebook.id), 303)
    return page("codebooks/upload.html", form)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    if request.endpoint != "codebooks.upload" or not current_user.is_authenticated:
        return error
    if not current_user.has_role(Role.OFFICER):
        return error
    form = UploadForm(formdata=None)
    form.file.errors = [TOO_BIG]
    return page("codebooks/upload.html", form, status=413)


@bp.url_value_preprocessor
def _raise_limit(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    if endpoint == "codebooks.upload":
        request.max_content_length = UPLOAD_LIMIT


@bp.get("/<int:codebook_id>")
@role_required(Role.OFFICER)
def show(codebook_id: int) -> ResponseReturnValue:
    codebook = readable_codebook(codebook_id)
    return render_template(
        "codebooks/show.html",
        codebook=codebook,
        can_change=codebooks.can_change(current_user, codebook),
        action=ActionForm(),
    )


@bp.get("/<int:codebook_id>/codebook.json")
@role_required(Role.OFFICER)
def download(codebook_id: int) -> ResponseReturnValue:
    """The codebook as a file ``engage themes --codebook`` and the upload page both read."""
    codebook = readable_codebook(codebook_id)
    audit.record(
        get_session(),
        action="export.codebook",
        actor=current_user,
        target_type="codebook",
        target_id=codebook.id,
        detail={"format": "json", "name": codebook.name},
    )
    get_session().commit()
    return Response(
        json.dumps(codebook.as_file(), ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="codebook-{codebook.id}.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/<int:codebook_id>/settings", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def settings(codebook_id: int) -> ResponseReturnValue:
    codebook = changeable_codebook(codebook_id)
    form = CodebookForm(obj=codebook)
    if form.validate_on_submit():
        codebook.name = (form.name.data or "").strip()
        codebook.shared = bool(form.shared.data)
        get_session().commit()
        flash("Codebook saved", "success")
        return redirect(url_for("codebooks.show", codebook_id=codebook.id), 303)
    return page("codebooks/settings.html", form, codebook=codebook)


@bp.post("/<int:codebook_id>/delete")
@role_required(Role.OFFICER)
def delete(codebook_id: int) -> ResponseReturnValue:
    codebook = changeable_codebook(codebook_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    name = codebook.name
    get_session().delete(codebook)
    get_session().commit()
    flash(f"Codebook deleted: {name}. Analysis runs that used it keep their themes.", "success")
    return redirect(url_for("codebooks.index"), 303)


def theme_page(codebook: Codebook, form: ThemeForm, number: int | None) -> Any:
    return page("codebooks/theme.html", form, codebook=codebook, number=number)


@bp.route("/<int:codebook_id>/themes/new", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def add_theme(codebook_id: int) -> ResponseReturnValue:
    codebook = changeable_codebook(codebook_id)
    form = ThemeForm()
    if form.validate_on_submit():
        try:
            codebooks.add_theme(codebook, **theme_values(form))
        except CodebookError as exc:
            get_session().rollback()
            form.label.errors = [str(exc)]
        else:
            get_session().commit()
            flash(f"Theme added: {form.label.data}", "success")
            return redirect(url_for("codebooks.show", codebook_id=codebook.id), 303)
    return theme_page(codebook, form, None)


def theme_values(form: ThemeForm) -> dict[str, Any]:
    return {
        "label": (form.label.data or "").strip(),
        "description": (form.description.data or "").strip(),
        "examples": codebooks.example_lines(form.examples.data or ""),
    }


def theme_index(codebook: Codebook, number: int) -> int:
    if not 1 <= number <= len(codebook.themes):
        abort(404)
    return number - 1


@bp.route("/<int:codebook_id>/themes/<int:number>", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def edit_theme(codebook_id: int, number: int) -> ResponseReturnValue:
    codebook = changeable_codebook(codebook_id)
    index = theme_index(codebook, number)
    theme = codebook.themes[index]
    form = ThemeForm(
        data={
            "label": theme["label"],
            "description": theme.get("description", ""),
            "examples": "\n".join(theme.get("examples", [])),
        }
    )
    if form.validate_on_submit():
        try:
            codebooks.change_theme(codebook, index, **theme_values(form))
        except CodebookError as exc:
            get_session().rollback()
            form.label.errors = [str(exc)]
        else:
            get_session().commit()
            flash(f"Theme saved: {form.label.data}", "success")
            return redirect(url_for("codebooks.show", codebook_id=codebook.id), 303)
    return theme_page(codebook, form, number)


@bp.post("/<int:codebook_id>/themes/<int:number>/delete")
@role_required(Role.OFFICER)
def remove_theme(codebook_id: int, number: int) -> ResponseReturnValue:
    codebook = changeable_codebook(codebook_id)
    index = theme_index(codebook, number)
    if not ActionForm().validate_on_submit():
        abort(400)
    label = codebooks.remove_theme(codebook, index)
    get_session().commit()
    flash(f"Theme removed: {label}", "success")
    return redirect(url_for("codebooks.show", codebook_id=codebook.id), 303)


@bp.post("/from-analysis/<int:analysis_id>")
@role_required(Role.OFFICER)
def from_analysis(analysis_id: int) -> ResponseReturnValue:
    """Save a finished question's themes as a codebook owned by the officer's partner."""
    session = get_session()
    qa = session.get(QuestionAnalysis, analysis_id)
    if qa is None or not qa.themes:
        abort(404)
    run = session.get(AnalysisRun, qa.run_id)
    consultation = session.get(Consultation, run.consultation_id) if run else None
    question = session.get(Question, qa.question_id)
    if run is None or consultation is None or question is None:
        abort(404)
    # Only findings this officer may read: another partner's unpublished themes stay theirs.
    if not access.may_read(consultation):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    quote_ids = [i for theme in qa.themes for i in theme.quote_answer_ids]
    descriptions = {
        theme["id"]: theme.get("description", "")
        for theme in ((run.params or {}).get("codebook") or {}).get("themes", [])
    }
    themes = codebooks.from_analysis(
        qa,
        findings.quote_texts(session, quote_ids),
        descriptions,
        lambda text: pii.mask(text, placeholders=False).text,
    )
    codebook = codebooks.create(
        session,
        name=f"Themes from {consultation.title}: {question.title}"[:200],
        organisation_id=own_organisation(),
        created_by_id=current_user.id,
        themes=themes,
    )
    session.commit()
    flash("Codebook saved from these themes. Rename it, edit its themes or share it.", "success")
    return redirect(url_for("codebooks.show", codebook_id=codebook.id), 303)
