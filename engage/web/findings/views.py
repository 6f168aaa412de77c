from __future__ import annotations

from flask import Response, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from analysis import pii
from engage.accounts.models import Role
from engage.audit import services as audit
from engage.curation import evidence, groups, summary
from engage.curation import services as curation
from engage.db import get_session
from engage.findings import breakdowns as groups_of
from engage.findings import exports as answer_exports
from engage.findings import services as findings
from engage.findings.breakdowns import theme_breakdowns
from engage.findings.models import QuestionAnalysis, Theme
from engage.web.auth.guard import role_required
from engage.web.consultations.forms import ActionForm
from engage.web.findings import access, bp
from engage.web.findings.forms import ChoiceGroupsForm
from engage.web.forms import error_list
from surveys import exports, services
from surveys.models import Consultation
from surveys.questions import get_type

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
    run = findings.latest_successful_run(session, item.id)
    by_question = {qa.question_id: qa for qa in run.questions} if run else {}
    quote_ids = [i for qa in by_question.values() for t in qa.themes for i in t.quote_answer_ids]
    quote_ids += [
        i for qa in by_question.values() for i in (*qa.other_quote_ids, *qa.no_comment_quote_ids)
    ]

    curated_sets = curation.sets_for(session, item.id)
    localities = current_app.config["LOCALITIES"]
    by_form = ChoiceGroupsForm(formdata=request.args or None)
    by_form.offer(groups_of.attribute_choices(session, item, localities))
    valid = by_form.validate() if request.args else True
    by = (by_form.by.data or "") if valid else ""
    sections = []
    for number, question in enumerate(item.questions, start=1):
        qtype = get_type(question.type)
        section = {"number": number, "question": question, "free_text": qtype.free_text}
        if qtype.has_options:
            counts = services.choice_counts(session, question)
            section["counts"] = counts
            section["max_count"] = max((n for _, n in counts), default=0)
        if by and qtype.closed:
            section["choice_groups"] = groups_of.choice_breakdowns(
                session, question, item, localities, only=by
            )
        if qtype.free_text:
            qa = section["analysis"] = by_question.get(question.id)
            reviewed = curated_sets.get(question.id)
            if reviewed is not None and reviewed.approved_at is not None:
                show = (lambda text: text) if may_see_originals(item) else pii.mask_text
                section["curated"] = summary.reviewed(session, reviewed, show)
                section["proposed"] = summary.pending_proposed(reviewed, qa)
                section["breakdowns"] = groups.curated_breakdowns(
                    session, reviewed, item, localities
                )
            elif qa is not None:
                section["under_review"] = reviewed is not None
                section["breakdowns"] = theme_breakdowns(session, qa, item, localities)
        sections.append(section)
    errors = error_list(by_form) if not valid else []
    return render_template(
        "findings/consultation.html",
        consultation=item,
        responses=services.response_count(session, item.id),
        run=run,
        sections=sections,
        quotes=readable_quotes(item, findings.quote_texts(session, quote_ids)),
        theme_clouds=set(
            session.scalars(
                select(Theme.id).where(
                    Theme.question_analysis_id.in_([qa.id for qa in by_question.values()]),
                    Theme.word_cloud_png.is_not(None),
                )
            )
        ),
        who_took_part=findings.who_took_part(session, item, localities),
        codebook_name=(run.params or {}).get("codebook_name") if run else None,
        masked=not may_see_originals(item),
        can_save_codebook=current_user.has_role(Role.OFFICER),
        can_curate=may_see_originals(item),  # the same people: owning partners' officers, admins
        action=ActionForm(),
        by_form=by_form,
        has_closed=any(get_type(q.type).closed for q in item.questions),
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


def readable_quotes(item: Consultation, quotes: dict[int, str]) -> dict[int, str]:
    """Quotes as this reader may see them: personal details masked unless may_see_originals."""
    if may_see_originals(item):
        return quotes
    return {answer_id: pii.mask_text(text) for answer_id, text in quotes.items()}


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
