"""Officers upload and remove the documents residents download from a consultation's page."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from engage.accounts.models import Role
from engage.db import get_session
from engage.web.auth.guard import role_required
from engage.web.consultations import bp
from engage.web.consultations.forms import ActionForm
from engage.web.consultations.lifecycle_forms import DocumentForm
from engage.web.consultations.uploads import accepts_files
from engage.web.consultations.views import managed_consultation
from engage.web.forms import error_list
from surveys import documents
from surveys.errors import SurveyError
from surveys.models import Consultation, Document

UPLOAD = "consultations.documents"
# Larger than the biggest file accepted, so a file a little too big is read and explained with
# the title kept; anything larger still stops at this limit before it fills the disk.
UPLOAD_LIMIT = 3 * documents.MAX_BYTES
TOO_BIG = f"The selected file must be smaller than {documents.MAX_BYTES // 1024**2} MB"


def too_large_page(consultation_id: int) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    # The body cannot be read again, so the forms are built without it.
    form = DocumentForm(formdata=None)
    form.file.errors = [TOO_BIG]
    return render(consultation, form, ActionForm(formdata=None), status=413)


accepts_files(UPLOAD, UPLOAD_LIMIT, too_large_page)


def render(
    consultation: Consultation,
    form: DocumentForm,
    action: ActionForm | None = None,
    status: int = 200,
) -> Any:
    errors = error_list(form)
    return render_template(
        "consultations/documents.html",
        consultation=consultation,
        form=form,
        errors=errors,
        action=action or ActionForm(),
    ), (status if status != 200 else 400 if errors else 200)


@bp.route("/<int:consultation_id>/documents", methods=["GET", "POST"], endpoint="documents")
@role_required(Role.OFFICER)
def documents_(consultation_id: int) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    form = DocumentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            documents.add_document(
                get_session(),
                consultation,
                title=form.title.data or "",
                filename=upload.filename or "",
                data=upload.read(),
            )
        except SurveyError as exc:
            get_session().rollback()
            form.file.errors = [str(exc)]
        else:
            get_session().commit()
            flash(f"Document added: {form.title.data}", "success")
            return redirect(url_for(UPLOAD, consultation_id=consultation.id))
    return render(consultation, form)


@bp.post("/<int:consultation_id>/documents/<int:document_id>/delete")
@role_required(Role.OFFICER)
def delete_document(consultation_id: int, document_id: int) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    document = get_session().get(Document, document_id)
    if document is None or document.consultation_id != consultation.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    title = document.title
    documents.remove_document(get_session(), consultation, document)
    get_session().commit()
    flash(f"Document removed: {title}", "success")
    return redirect(url_for(UPLOAD, consultation_id=consultation.id))
