"""Asking for a report, watching it being built, and downloading its files (signed-in officers
and JOG members only; the files are never public)."""

from __future__ import annotations

import re

from flask import Response, abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from engage.accounts.models import Role
from engage.audit import services as audit
from engage.db import get_session
from engage.findings.models import RunStatus
from engage.reports import services as reports
from engage.reports.models import FORMATS, Report
from engage.web.auth.guard import role_required
from engage.web.consultations.forms import ActionForm
from engage.web.findings import access
from engage.web.reports import bp

READERS = (Role.JOG, Role.OFFICER)


def readable_report(report_id: int) -> Report:
    report = get_session().get(Report, report_id)
    if report is None:
        abort(404)
    if report.consultation_id is not None:
        access.readable(report.consultation_id)
    return report


@bp.get("/consultations/<int:consultation_id>")
@role_required(*READERS)
def consultation_reports(consultation_id: int) -> ResponseReturnValue:
    item = access.readable(consultation_id)
    return render_template(
        "reports/consultation.html",
        consultation=item,
        reports=reports.for_consultation(get_session(), item.id),
        form=ActionForm(),
    )


@bp.post("/consultations/<int:consultation_id>")
@role_required(*READERS)
def request_findings(consultation_id: int) -> ResponseReturnValue:
    item = access.readable(consultation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    session = get_session()
    report = reports.request_findings_report(session, item, requested_by_id=current_user.id)
    # The queued report is its own outbox entry: the dispatcher hands it to the broker.
    session.commit()
    return redirect(url_for("reports.report", report_id=report.id))


@bp.get("/board")
@role_required(*READERS)
def board_reports() -> ResponseReturnValue:
    return render_template(
        "reports/board_reports.html",
        reports=reports.board_reports(get_session()),
        form=ActionForm(),
    )


@bp.post("/board")
@role_required(*READERS)
def request_board() -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        abort(400)
    session = get_session()
    report = reports.request_board_report(session, requested_by_id=current_user.id)
    session.commit()  # the dispatcher hands it to the broker: no wait on Redis here
    return redirect(url_for("reports.report", report_id=report.id))


@bp.get("/<int:report_id>")
@role_required(*READERS)
def report(report_id: int) -> ResponseReturnValue:
    item = readable_report(report_id)
    return render_template("reports/report.html", report=item, formats=FORMATS)


@bp.get("/<int:report_id>/status")
@role_required(*READERS)
def status(report_id: int) -> ResponseReturnValue:
    item = readable_report(report_id)
    return {
        "status": item.status,
        "progress": item.progress,
        "message": item.message,
        "error": item.error,
        "finished": item.finished,
    }


@bp.get("/<int:report_id>/download/<fmt>")
@role_required(*READERS)
def download(report_id: int, fmt: str) -> ResponseReturnValue:
    item = readable_report(report_id)
    if fmt not in FORMATS or item.status != RunStatus.SUCCEEDED:
        abort(404)
    data = getattr(item, fmt)
    if not data:
        abort(404)
    audit.record(
        get_session(),
        action="report.download",
        actor=current_user,
        target_type="report",
        target_id=item.id,
        detail={"format": fmt, "kind": item.kind, "consultation": item.consultation_id},
    )
    get_session().commit()
    extension, mimetype, _ = FORMATS[fmt]
    name = re.sub(r"[^a-z0-9]+", "-", item.title.lower()).strip("-")[:80] or "report"
    return Response(
        data,
        mimetype=mimetype,
        headers={
            # Always a download, never shown as a page of ours: the HTML carries its own style.
            "Content-Disposition": f'attachment; filename="{name}.{extension}"',
            "Cache-Control": "private, no-store",
        },
    )
