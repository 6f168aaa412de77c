"""The curation page of a free-text question: officers of the partners who run the consultation
change its themes; JOG members read them (answers masked). Every form works without JavaScript:
one form per theme, whose buttons act on the answers ticked in it."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from analysis import pii
from engage.accounts.models import Role, User
from engage.curation import evidence, summary
from engage.curation import services as curation
from engage.curation.models import CuratedSet, StrategicPriority
from engage.curation.services import CurationError
from engage.db import get_session
from engage.findings import services as findings
from engage.findings.models import QuestionAnalysis
from engage.web.auth.guard import role_required
from engage.web.consultations.forms import ActionForm
from engage.web.curation import bp
from engage.web.findings import access
from surveys.models import Consultation, ConsultationStatus, Question
from surveys.questions import get_type

SHOWN_ANSWERS = 40  # per theme, unless the officer asks for all of them


def may_curate(item: Consultation) -> bool:
    return current_user.role == Role.ADMIN or (
        current_user.role == Role.OFFICER and current_user.organisation_id in item.owner_ids()
    )


def readable_question(question_id: int) -> tuple[Question, Consultation]:
    session = get_session()
    question = session.get(Question, question_id)
    if question is None or not get_type(question.type).free_text:
        abort(404)
    item = session.get(Consultation, question.consultation_id)
    if item is None or item.status == ConsultationStatus.DRAFT:
        abort(404)
    if not (may_curate(item) or access.may_read(item)):
        abort(403)
    return question, item


def curatable(question_id: int) -> tuple[Question, Consultation]:
    question, item = readable_question(question_id)
    if not may_curate(item):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    return question, item


def back(question: Question, anchor: str = "") -> ResponseReturnValue:
    target = url_for("curation.question", question_id=question.id)
    return redirect(f"{target}#{anchor}" if anchor else target, 303)


@bp.get("/questions/<int:question_id>")
@role_required(Role.OFFICER, Role.JOG)
def question(question_id: int) -> ResponseReturnValue:
    return page(question_id)


def page(
    question_id: int, *, error: str | None = None, field: str = "", entered: Any = None
) -> ResponseReturnValue:
    """The page; after a refused edit, with the reason and the officer's entries kept."""
    question, item = readable_question(question_id)
    session = get_session()
    curated = curation.curated_set(session, question.id)
    run = findings.latest_successful_run(session, item.id)
    qa = None
    if run is not None:
        qa = session.scalar(
            select(QuestionAnalysis).where(
                QuestionAnalysis.run_id == run.id, QuestionAnalysis.question_id == question.id
            )
        )
    context: dict[str, Any] = {
        "consultation": item,
        "question": question,
        "curated": curated,
        "run": run,
        "can_start": qa is not None and bool(qa.themes),
        "can_curate": may_curate(item),
        "action": ActionForm(),
        "error": error,
        "field": field,
        "entered": entered or {},
        "merge_chosen": request.form.getlist("merge"),
        "show_all": request.args.get("all", type=int),
        "shown": SHOWN_ANSWERS,
    }
    if curated is not None:
        context |= curated_context(curated, qa, item)
    status = 400 if error else 200
    return render_template("curation/question.html", **context), status


def curated_context(
    curated: CuratedSet, qa: QuestionAnalysis | None, item: Consultation
) -> dict[str, Any]:
    session = get_session()
    ids = [link.answer_id for theme in curated.themes for link in theme.assignments]
    texts = findings.quote_texts(session, ids)
    if not may_curate(item):
        texts = {answer_id: pii.mask_text(text) for answer_id, text in texts.items()}
    agreement, moved = curation.agreement(curated)
    # Proposed themes of a later run: answers that fit none of the curated themes.
    proposed = summary.pending_proposed(curated, qa)
    people = {
        user.id: user.name
        for user in session.scalars(
            select(User).where(
                User.id.in_(
                    [e.user_id for e in curation.history(session, curated.question_id)]
                    + [curated.approved_by_id or 0]
                )
            )
        )
    }
    return {
        "texts": texts,
        "masked": not may_curate(item),
        "agreement": agreement,
        "moved": moved,
        "proposed": proposed,
        "without_quotes": [t.label for t in evidence.without_quotes(curated)],
        "events": curation.history(session, curated.question_id),
        "people": people,
        "priorities": list(
            session.scalars(
                select(StrategicPriority)
                .where(StrategicPriority.active.is_(True))
                .order_by(StrategicPriority.position, StrategicPriority.id)
            )
        ),
    }


def edit(
    question_id: int, change: Any, done: str, anchor: str = "", field: str = ""
) -> ResponseReturnValue:
    """Make one edit and go back to the page, or show the page again with the reason; ``field``
    is the id of the input the error summary links to (the anchor when there is none)."""
    question, _ = curatable(question_id)
    session = get_session()
    curated = curation.curated_set(session, question.id)
    if curated is None:
        abort(404)
    try:
        change(session, curated)
    except CurationError as exc:
        session.rollback()
        return page(question_id, error=str(exc), field=field or anchor, entered=request.form)
    session.commit()
    flash(done, "success")
    return back(question, anchor)


@bp.post("/questions/<int:question_id>/start")
@role_required(Role.OFFICER)
def start(question_id: int) -> ResponseReturnValue:
    question, item = curatable(question_id)
    session = get_session()
    run = findings.latest_successful_run(session, item.id)
    if run is None:
        flash("Run the analysis before curating its themes", "error")
        return back(question)
    try:
        curation.start(session, question, run, current_user.id)
    except CurationError as exc:
        session.rollback()
        flash(str(exc), "error")
        return back(question)
    session.commit()
    flash("The themes are ready to curate. Your changes are kept when the analysis runs again.")
    return back(question)


@bp.post("/questions/<int:question_id>/themes/<int:theme_id>/rename")
@role_required(Role.OFFICER)
def rename(question_id: int, theme_id: int) -> ResponseReturnValue:
    label = request.form.get("label", "")
    description = request.form.get("description", "")

    def change(session: Any, curated: CuratedSet) -> None:
        curation.rename(
            session,
            curated,
            theme_id,
            label=label,
            description=description,
            user_id=current_user.id,
        )

    return edit(question_id, change, "Theme renamed", f"theme-{theme_id}", f"label-{theme_id}")


@bp.post("/questions/<int:question_id>/themes/<int:theme_id>/answers")
@role_required(Role.OFFICER)
def answers(question_id: int, theme_id: int) -> ResponseReturnValue:
    """The theme's answer form: move, split off, or mark as quotes the ticked answers."""
    chosen = [int(a) for a in request.form.getlist("answer") if a.isdigit()]
    what = request.form.get("do", "")
    anchor = f"theme-{theme_id}"
    if not chosen and what != "split":
        question, _ = curatable(question_id)
        return page(question.id, error="Tick at least one answer first", field=anchor)

    def change(session: Any, curated: CuratedSet) -> None:
        if what == "move":
            target = request.form.get("to", "")
            if not (target.isdigit() or target == "none"):
                raise CurationError("Choose the theme to move the answers to")
            for answer_id in chosen:
                curation.move(
                    session,
                    curated,
                    answer_id,
                    from_id=theme_id,
                    to_id=int(target) if target.isdigit() else None,
                    user_id=current_user.id,
                )
        elif what == "split":
            curation.split(
                session,
                curated,
                theme_id,
                label=request.form.get("new_label", ""),
                answers=chosen,
                user_id=current_user.id,
            )
        elif what in ("quote", "unquote"):
            for answer_id in chosen:
                curation.mark_quote(
                    session,
                    curated,
                    theme_id,
                    answer_id,
                    on=what == "quote",
                    user_id=current_user.id,
                )
        else:
            raise CurationError("Choose what to do with the ticked answers")

    done = {
        "move": "Answers moved",
        "split": "New theme made from the ticked answers",
        "quote": "Quotes chosen for publication",
        "unquote": "Quotes taken off",
    }.get(what, "Saved")
    field = f"new-label-{theme_id}" if what == "split" and chosen else anchor
    return edit(question_id, change, done, anchor, field)


@bp.post("/questions/<int:question_id>/merge")
@role_required(Role.OFFICER)
def merge(question_id: int) -> ResponseReturnValue:
    keep = request.form.get("keep", "")
    others = [int(t) for t in request.form.getlist("merge") if t.isdigit()]

    def change(session: Any, curated: CuratedSet) -> None:
        if not keep.isdigit():
            raise CurationError("Choose the theme to keep")
        curation.merge(session, curated, int(keep), others, user_id=current_user.id)

    return edit(question_id, change, "Themes merged", "merge")


@bp.post("/questions/<int:question_id>/themes/<int:theme_id>/priority")
@role_required(Role.OFFICER)
def priority(question_id: int, theme_id: int) -> ResponseReturnValue:
    chosen = request.form.get("priority", "")

    def change(session: Any, curated: CuratedSet) -> None:
        target = session.get(StrategicPriority, int(chosen)) if chosen.isdigit() else None
        if chosen.isdigit() and target is None:
            raise CurationError("That priority is no longer there: choose another")
        curation.set_priority(session, curated, theme_id, target, user_id=current_user.id)

    return edit(question_id, change, "Priority saved", f"theme-{theme_id}", f"priority-{theme_id}")


@bp.post("/questions/<int:question_id>/proposed/<int:run_theme_id>")
@role_required(Role.OFFICER)
def add_proposed(question_id: int, run_theme_id: int) -> ResponseReturnValue:
    def change(session: Any, curated: CuratedSet) -> None:
        curation.add_proposed(session, curated, run_theme_id, user_id=current_user.id)

    return edit(question_id, change, "Proposed theme added", "proposed")


@bp.post("/questions/<int:question_id>/approve")
@role_required(Role.OFFICER)
def approve(question_id: int) -> ResponseReturnValue:
    def change(session: Any, curated: CuratedSet) -> None:
        unquoted = [t.label for t in evidence.without_quotes(curated)]
        if unquoted and request.form.get("typical_quotes") != "yes":
            raise CurationError(
                f"No quotes are chosen for {plain_list(unquoted)}. Choose quotes for "
                f"{'it' if len(unquoted) == 1 else 'them'}, or tick the box to quote the most "
                "typical answers instead"
            )
        curation.approve(session, curated, user_id=current_user.id)

    return edit(question_id, change, "Themes approved", "approve", "typical_quotes")


def plain_list(labels: list[str]) -> str:
    quoted = [f"‘{label}’" for label in labels]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
