from __future__ import annotations

from flask import Response, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from analysis import pii
from engage.accounts.models import Role
from engage.audit import services as audit
from engage.curation import evidence, findings_page
from engage.db import get_session
from engage.findings import breakdowns as groups_of
from engage.findings import exports as answer_exports
from engage.findings import services as findings
from engage.findings.models import QuestionAnalysis, Theme
from engage.web.auth.guard import role_required
from engage.web.consultations.forms import ActionForm
from engage.web.findings import access, bp
from engage.web.findings.forms import ChoiceGroupsForm
from engage.web.forms import error_list
from surveys import exports, services
from surveys.models import Consultation

READERS = (Role.JOG, Role.OFFICER)
FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": exports.XLSX_TYPE}


@bp.get("/")
@role_required(*READERS)
def index() -> ResponseReturnValue:
    session = get_session()
    consultations = [
        c
        for c in session.scalars(
            select(Consultation)
            .where(Consultation.status.not_in(access.HIDDEN))
            .order_by(Consultation.closes_at.desc())
        )
        if access.may_read(c)
    ]
    counts = services.response_counts(session, [c.id for c in consultations])
    rows = [(c, counts[c.id], findings.latest_successful_run(session, c.id)) for c in consultations]
    return render_template("findings/index.html", rows=rows)


@bp.get("/<int:consultation_id>")
@role_required(*READERS)
def consultation(consultation_id: int) -> ResponseReturnValue:
    session = get_session()
    item = access.readable(consultation_id)
    localities = current_app.config["LOCALITIES"]
    by_form = ChoiceGroupsForm(formdata=request.args or None)
    by_form.offer(groups_of.attribute_choices(session, item, localities))
    valid = by_form.validate() if request.args else True
    show = (lambda text: text) if may_see_originals(item) else pii.mask_text
    found = findings_page.assemble(
        session,
        item,
        by=(by_form.by.data or "") if valid else "",
        localities=localities,
        show=show,
    )
    errors = error_list(by_form) if not valid else []
    return render_template(
        "findings/consultation.html",
        consultation=item,
        responses=found.responses,
        run=found.run,
        sections=found.sections,
        quotes=found.quotes,
        theme_clouds=found.theme_clouds,
        who_took_part=found.who_took_part,
        codebook_name=found.codebook_name,
        masked=not may_see_originals(item),
        can_save_codebook=current_user.has_role(Role.OFFICER),
        can_curate=may_see_originals(item),  # the same people: owning partners' officers, admins
        action=ActionForm(),
        by_form=by_form,
        has_closed=found.has_closed,
        errors=errors,
    ), (400 if errors else 200)


@bp.get("/<int:consultation_id>/answers.<any(csv, xlsx):fmt>")
@role_required(*READERS)
def answers_export(consultation_id: int, fmt: str) -> ResponseReturnValue:
    """Every free-text answer with its themes; masked for readers who may not see originals."""
    session = get_session()
    item = access.readable(consultation_id)
    run = findings.latest_successful_run(session, item.id)
    show = (lambda text: text) if may_see_originals(item) else pii.mask_text
    themes = evidence.answer_themes(session, item.id, run)
    data = answer_exports.export_answers(session, item, themes, fmt, show)
    audit.record(
        session,
        action="export.free_text",
        actor=current_user,
        target_type="consultation",
        target_id=item.id,
        detail={"format": fmt, "masked": not may_see_originals(item)},
    )
    session.commit()
    name = f"{item.slug}-free-text-answers{'' if may_see_originals(item) else '-masked'}.{fmt}"
    return Response(
        data,
        mimetype=FORMATS[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def may_see_originals(item: Consultation) -> bool:
    """Officers of the partners who run the consultation (they may need to follow up what a
    person asked) and administrators read answers as written; everyone else masked."""
    return current_user.role == Role.ADMIN or (
        current_user.role == Role.OFFICER and current_user.organisation_id in item.owner_ids()
    )


@bp.get("/word-clouds/themes/<int:theme_id>.png")
@role_required(*READERS)
def theme_word_cloud(theme_id: int) -> ResponseReturnValue:
    theme = get_session().get(Theme, theme_id)
    if theme is None or not theme.word_cloud_png:
        abort(404)
    access.readable(theme.question_analysis.run.consultation_id)
    return Response(
        theme.word_cloud_png,
        mimetype="image/png",
        headers={"Cache-Control": "private, max-age=3600"},
    )


@bp.get("/word-clouds/<int:analysis_id>.png")
@role_required(*READERS)
def word_cloud(analysis_id: int) -> ResponseReturnValue:
    qa = get_session().get(QuestionAnalysis, analysis_id)
    if qa is None or not qa.word_cloud_png:
        abort(404)
    access.readable(qa.run.consultation_id)
    return Response(
        qa.word_cloud_png, mimetype="image/png", headers={"Cache-Control": "private, max-age=3600"}
    )
