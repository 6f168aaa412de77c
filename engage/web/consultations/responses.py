"""Responses: paper data entry, CSV and XLSX import with a row report, and exports."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from engage.accounts.models import Role
from engage.audit import services as audit
from engage.db import get_session
from engage.web.auth.guard import role_required
from engage.web.consultations import bp
from engage.web.consultations.uploads import accepts_files
from engage.web.consultations.views import managed_consultation
from surveys import drafts, equalities, exports, imports, services
from surveys.models import (
    CHANNEL_LABELS,
    Channel,
    Consultation,
    ConsultationStatus,
)
from surveys.models import (
    Response as StoredResponse,
)
from surveys.questions import get_type

# Officers key in responses that came on paper, at an event or over the phone.
ENTRY_CHANNELS = (Channel.PAPER, Channel.EVENT, Channel.PHONE)
# Paper arrives while a consultation is open and for a while after it closes.
TAKES_PAPER = (ConsultationStatus.OPEN, ConsultationStatus.CLOSED)
FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": exports.XLSX_TYPE}
REPORT_LIMIT = 200  # problems listed on the page; the count says how many more
UPLOAD_LIMIT = imports.MAX_BYTES + 256 * 1024  # the file plus the rest of the form


def localities() -> list[str]:
    """The partnership's areas, which the equalities block's last question offers."""
    return list(current_app.config["LOCALITIES"])


def taking_paper(consultation: Consultation) -> Consultation:
    """Refuse entry and import while the survey is still being written or is finished with."""
    if consultation.status not in TAKES_PAPER:
        flash(
            "Responses can be entered or imported only while the consultation is open "
            "or after it has closed",
            "error",
        )
        abort(redirect(url_for("consultations.detail", consultation_id=consultation.id)))
    return consultation


def _number(session: Any, response: StoredResponse) -> int:
    """A response's number within its consultation, as in the export's first column."""
    stmt = select(func.count()).where(
        StoredResponse.consultation_id == response.consultation_id,
        StoredResponse.id <= response.id,
    )
    return int(session.scalar(stmt) or 0)


# Downloads -----------------------------------------------------------------------------------


def _download(data: bytes, consultation: Consultation, what: str, fmt: str) -> Response:
    name = f"{consultation.slug}-{what}.{fmt}"
    return Response(
        data,
        mimetype=FORMATS[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def _audited(session: Any, action: str, consultation: Consultation, fmt: str) -> None:
    audit.record(
        session,
        action=action,
        actor=current_user,
        target_type="consultation",
        target_id=consultation.id,
        detail={"format": fmt},
    )
    session.commit()


@bp.get("/<int:consultation_id>/responses.<any(csv, xlsx):fmt>")
@role_required(Role.OFFICER)
def export_responses(consultation_id: int, fmt: str) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    session = get_session()
    data = exports.export_responses(session, consultation, fmt, localities())
    _audited(session, "export.responses", consultation, fmt)
    return _download(data, consultation, "responses", fmt)


@bp.get("/<int:consultation_id>/responses/summary.<any(csv, xlsx):fmt>")
@role_required(Role.OFFICER)
def export_summary(consultation_id: int, fmt: str) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    session = get_session()
    data = exports.export_summary(session, consultation, fmt, localities())
    _audited(session, "export.summary", consultation, fmt)
    return _download(data, consultation, "summary", fmt)


@bp.get("/<int:consultation_id>/responses/template.<any(csv, xlsx):fmt>")
@role_required(Role.OFFICER)
def import_template(consultation_id: int, fmt: str) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    header = exports.template_headers(consultation, localities())
    data = exports.to_xlsx(header, [], "Responses") if fmt == "xlsx" else exports.to_csv(header, [])
    return _download(data, consultation, "import-template", fmt)


# Import --------------------------------------------------------------------------------------


@bp.route("/<int:consultation_id>/responses/import", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def import_responses(consultation_id: int) -> ResponseReturnValue:
    consultation = taking_paper(managed_consultation(consultation_id))
    if request.method == "GET":
        return render_template("responses/import.html", consultation=consultation)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _import_page(consultation, "Select a CSV or XLSX file to import")
    data = upload.read(imports.MAX_BYTES + 1)
    session = get_session()
    try:
        result = imports.import_responses(
            session,
            consultation,
            upload.filename,
            data,
            now=datetime.now(UTC),
            localities=localities(),
        )
    except imports.ImportFileError as exc:
        session.rollback()
        return _import_page(consultation, str(exc))
    if result.problems:
        session.rollback()
        return _import_page(consultation, None, 400, result=result, filename=upload.filename)
    session.commit()
    message = f"{_responses(result.created)} imported from {upload.filename}"
    if result.already:
        message += f". {_responses(result.already)} had been imported before and were skipped"
    flash(message, "success")
    return redirect(url_for("consultations.detail", consultation_id=consultation.id), 303)


def _import_too_large(consultation_id: int) -> ResponseReturnValue:
    consultation = taking_paper(managed_consultation(consultation_id))
    return _import_page(consultation, "The selected file must be smaller than 10 MB", 413)


accepts_files("consultations.import_responses", UPLOAD_LIMIT, _import_too_large)


def _responses(n: int) -> str:
    return f"{n} response" if n == 1 else f"{n} responses"


def _import_page(
    consultation: Consultation,
    error: str | None,
    status: int = 400,
    *,
    result: imports.ImportResult | None = None,
    filename: str = "",
) -> ResponseReturnValue:
    problems = result.problems if result else []
    rows = len({p.row for p in problems})
    if result:
        error = (
            f"{rows} of the {result.rows} rows in {filename} "
            f"{'has a problem' if rows == 1 else 'have problems'}. "
            "Nothing was imported: fix the file and upload it again"
        )
    return render_template(
        "responses/import.html",
        consultation=consultation,
        error=error,
        problems=problems[:REPORT_LIMIT],
        more=max(0, len(problems) - REPORT_LIMIT),
    ), status


# Paper data entry ----------------------------------------------------------------------------


def _channel(value: str | None) -> str:
    return value if value in ENTRY_CHANNELS else Channel.PAPER


@bp.route("/<int:consultation_id>/responses/enter", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def enter_responses(consultation_id: int) -> ResponseReturnValue:
    """Key in paper responses one after another: save, then a fresh form with the focus on it."""
    consultation = taking_paper(managed_consultation(consultation_id))
    session = get_session()
    channel = _channel(request.values.get("channel"))
    entered = min(request.values.get("entered", 0, type=int) or 0, 100_000)
    if request.method == "GET":
        saved = request.args.get("saved", type=int)
        response = session.get(StoredResponse, saved) if saved else None
        number = (
            _number(session, response)
            if response and response.consultation_id == consultation.id
            else None
        )
        return _entry_page(consultation, channel=channel, entered=entered, saved=number)

    form = {k: request.form.getlist(k) for k in request.form if k != "csrf_token"}
    entry = imports.read_paper_form(consultation, form, localities())
    token = request.form.get("submission_token", "")
    token = token if drafts.TOKEN.match(token) else secrets.token_urlsafe(24)
    if not entry.ok:
        return _entry_page(
            consultation, channel=channel, entered=entered, entry=entry, form=form, token=token
        )
    try:
        response = services.submit_response(
            session,
            consultation,
            entry.answers,
            token=token,
            now=datetime.now(UTC),
            channel=channel,
            equalities=entry.equalities,
        )
        session.commit()
    except IntegrityError:  # the same form sent twice at once: the other request stored it
        session.rollback()
        response = services.find_response(session, token) or abort(409)
    target = url_for(
        "consultations.enter_responses",
        consultation_id=consultation.id,
        channel=channel,
        entered=entered + 1,
        saved=response.id,
    )
    return redirect(target, 303)


def _entry_page(
    consultation: Consultation,
    *,
    channel: str,
    entered: int,
    saved: int | None = None,
    entry: imports.Entry | None = None,
    form: dict[str, list[str]] | None = None,
    token: str | None = None,
) -> ResponseReturnValue:
    session = get_session()
    numbers = services.question_numbers(consultation)
    errors: list[tuple[str, str]] = []
    error_for: dict[Any, str] = {}
    if entry is not None:
        for e in entry.errors:
            message = f"Question {numbers[e.question_id]}: {e.message}"
            errors.append((e.field_id, message))
            error_for[e.question_id] = message
        for b in entry.equalities_errors:
            errors.append((b.field_id, b.message))
            error_for[b.field_id] = b.message
    total = services.response_count(session, consultation.id)
    return render_template(
        "responses/enter.html",
        consultation=consultation,
        block=equalities.questions(localities()) if consultation.equalities else [],
        numbers=numbers,
        raw_by=_raw_values(consultation, form) if form else {},
        errors=errors,
        error_for=error_for,
        channel=channel,
        channels=[(c.value, CHANNEL_LABELS[c]) for c in ENTRY_CHANNELS],
        entered=entered,
        saved=saved,
        total=total,
        token=token or secrets.token_urlsafe(24),
    ), (400 if errors else 200)


def _raw_values(consultation: Consultation, form: dict[str, list[str]]) -> dict[Any, tuple]:
    """What was typed, by question id (and equalities field), to show again after an error."""
    raw: dict[Any, tuple] = {}
    for question in consultation.questions:
        qtype = get_type(question.type)
        if qtype.has_input:
            raw[question.id] = qtype.read(question, form).raw
    for block_question in equalities.questions(localities()):
        raw[block_question.field_name] = tuple(form.get(block_question.field_name, ()))
    return raw


_CONTROL = re.compile(r"<(input|select|textarea)\b(?![^>]*type=\"hidden\")")


@bp.app_template_filter("autofocus_first_control")
def autofocus_first_control(html: str) -> Markup:
    """Put ``autofocus`` on the first visible form control of already-rendered HTML."""
    return Markup(_CONTROL.sub(r"<\1 autofocus", str(html), count=1))  # noqa: S704 - our own escaped HTML  # nosec B704
