"""The survey builder: officers add, edit, move and remove pages and questions.

Routing rules and show-if conditions are in ``engage.web.consultations.routing``. The rules of what
may change, and the clean-up of rules a change breaks, are in ``surveys.builder``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from engage.accounts.models import Role
from engage.db import get_session
from engage.web.auth.guard import role_required
from engage.web.consultations import bp
from engage.web.consultations.forms import (
    ActionForm,
    DeletePageForm,
    EditQuestionForm,
    PageForm,
    QuestionForm,
)
from engage.web.consultations.views import SETTINGS_FIELDS, managed_consultation
from engage.web.forms import SelectChoice, error_list
from surveys import builder, outline
from surveys.builder import EditError, RemovedRule
from surveys.models import Consultation, Page, Question
from surveys.questions import get_type
from surveys.routing import questions_on


@bp.context_processor
def builder_context() -> dict[str, Any]:
    """What the questions section of the officer's consultation page needs."""
    return {
        "survey_outline": outline.outline,
        "structure_editable": builder.structure_editable,
    }


# --- Helpers shared with routing.py -------------------------------------------------------------


def owned_question(consultation: Consultation, question_id: int) -> Question:
    question = get_session().get(Question, question_id)
    if question is None or question.consultation_id != consultation.id:
        abort(404)
    return question


def owned_page(consultation: Consultation, page_id: int) -> Page:
    page = get_session().get(Page, page_id)
    if page is None or page.consultation_id != consultation.id:
        abort(404)
    return page


def back_to_builder(consultation: Consultation, anchor: str | None = None) -> ResponseReturnValue:
    return redirect(
        url_for("consultations.detail", consultation_id=consultation.id, _anchor=anchor)
    )


def report(done: str, removed: list[RemovedRule]) -> None:
    flash(done, "success")
    for rule in removed:
        flash(str(rule), "important")


def refuse_unless_structure(consultation: Consultation) -> ResponseReturnValue | None:
    """Pages, questions and rules change only before opening; say so plainly otherwise."""
    if builder.structure_editable(consultation):
        return None
    flash(builder.OPEN_MESSAGE, "error")
    return back_to_builder(consultation, "questions")


def one_click(
    consultation: Consultation,
    change: Callable[[], list[RemovedRule] | None],
    done: Callable[[], str],
) -> None:
    """A one-button builder change (move, remove): the form's token checked, the structure
    editable, then committed with what happened said, or rolled back with why not."""
    if not ActionForm().validate_on_submit():
        abort(400)
    if not builder.structure_editable(consultation):
        flash(builder.OPEN_MESSAGE, "error")
        return
    try:
        removed = change()
    except EditError as exc:
        get_session().rollback()
        flash(str(exc), "error")
    else:
        get_session().commit()
        report(done(), removed or [])


def page_choices(consultation: Consultation) -> list[SelectChoice]:
    return [SelectChoice(p.id, outline.page_heading(p)) for p in outline.pages_of(consultation)]


# --- Questions ---------------------------------------------------------------------------------


def _answers_from(form: QuestionForm, key: str) -> dict[str, Any]:
    """Options, settings and required-ness as the survey engine takes them."""
    qtype = get_type(key)
    options = (form.options.data or "").splitlines()
    if not any(o.strip() for o in options) and key == "locality":
        options = list(current_app.config["LOCALITIES"])
    return {
        "required": form.required.data == "yes",
        "options": options,
        "settings": qtype.settings_from_form(
            {name: getattr(form, name).data for name in SETTINGS_FIELDS}
        ),
    }


def _set_error(form: QuestionForm, exc: EditError) -> None:
    getattr(form, exc.field or "title").errors = [str(exc)]


@bp.route("/<int:consultation_id>/questions/new", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def add_question(consultation_id: int) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    refused = refuse_unless_structure(consultation)
    if refused:
        return refused
    pages = outline.pages_of(consultation)
    wanted = request.args.get("page", type=int)
    default = next((p for p in pages if p.id == wanted), pages[-1])
    form = QuestionForm(page_id=default.id)
    form.page_id.choices = page_choices(consultation)
    if form.validate_on_submit():
        session = get_session()
        page = owned_page(consultation, form.page_id.data)
        key = get_type(form.type.data or "").key
        try:
            question = builder.add_question(
                session,
                consultation,
                page=page,
                type=key,
                title=form.title.data or "",
                hint=form.hint.data or "",
                **_answers_from(form, key),
            )
        except EditError as exc:
            session.rollback()
            _set_error(form, exc)
        else:
            session.commit()
            flash("Question added", "success")
            return back_to_builder(consultation, f"question-{question.id}")
    errors = error_list(form)
    return render_template(
        "consultations/question.html",
        form=form,
        consultation=consultation,
        errors=errors,
        mode="add",
    ), (400 if errors else 200)


def _prefill(question: Question) -> dict[str, Any]:
    settings = question.settings or {}
    return {
        "page_id": question.page_id,
        "title": question.title,
        "hint": question.hint,
        "required": "yes" if question.required else "no",
        "options": "\n".join(o["label"] for o in question.options),
        "display": settings.get("display", "radios"),
        "allow_other": "yes" if settings.get("allow_other") else "no",
        "rows": "\n".join(r["label"] for r in settings.get("rows") or []),
        "min_value": settings.get("min_value"),
        "max_value": settings.get("max_value"),
        "postcodes": "\n".join(f"{k}: {v}" for k, v in (settings.get("postcodes") or {}).items()),
        "max_choices": settings.get("max_choices"),
        "max_length": settings.get("max_length"),
    }


def _fields_for(question: Question) -> set[str]:
    """The type's own settings fields, so the edit page shows only what applies."""
    qtype = get_type(question.type)
    fields = set(qtype.settings_fields)
    if question.type == "locality":
        fields.add("postcodes")
    return fields


@bp.route("/<int:consultation_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def edit_question(consultation_id: int, question_id: int) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    question = owned_question(consultation, question_id)
    structure = builder.structure_editable(consultation)
    form = EditQuestionForm(data=_prefill(question))
    form.page_id.choices = page_choices(consultation)
    if form.validate_on_submit():
        session = get_session()
        answers = _answers_from(form, question.type)
        if question.type == "locality" and not (form.options.data or "").strip():
            answers["options"] = None  # keep the areas it has
        try:
            removed = builder.update_question(
                session,
                consultation,
                question,
                title=form.title.data or "",
                hint=form.hint.data or "",
                **(answers if structure else {"options": answers["options"]}),
            )
            if structure and form.page_id.data != question.page_id:
                page = owned_page(consultation, form.page_id.data)
                removed += builder.move_question_to_page(session, consultation, question, page)
        except EditError as exc:
            session.rollback()
            _set_error(form, exc)
        else:
            session.commit()
            report("Question saved", removed)
            return back_to_builder(consultation, f"question-{question.id}")
    errors = error_list(form)
    return render_template(
        "consultations/question.html",
        form=form,
        consultation=consultation,
        question=question,
        qtype=get_type(question.type),
        fields=_fields_for(question),
        errors=errors,
        mode="edit" if structure else "wording",
    ), (400 if errors else 200)


def _offset() -> int:
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    return -1 if direction == "up" else 1


@bp.post("/<int:consultation_id>/questions/<int:question_id>/move")
@role_required(Role.OFFICER)
def move_question(consultation_id: int, question_id: int) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    question = owned_question(consultation, question_id)
    one_click(
        consultation,
        lambda: builder.move_question(get_session(), consultation, question, _offset()),
        lambda: f"Question moved {request.form['direction']}",
    )
    return back_to_builder(consultation, f"question-{question.id}")


@bp.post("/<int:consultation_id>/questions/<int:question_id>/delete")
@role_required(Role.OFFICER)
def delete_question(consultation_id: int, question_id: int) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    question = owned_question(consultation, question_id)
    page_id = question.page_id
    one_click(
        consultation,
        lambda: builder.remove_question(get_session(), consultation, question),
        lambda: "Question removed",
    )
    return back_to_builder(consultation, f"page-{page_id}")


# --- Pages -------------------------------------------------------------------------------------


@bp.route("/<int:consultation_id>/pages/new", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def add_page(consultation_id: int) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    refused = refuse_unless_structure(consultation)
    if refused:
        return refused
    form = PageForm()
    if form.validate_on_submit():
        page = builder.add_page(
            get_session(), consultation, title=form.title.data or "", intro=form.intro.data or ""
        )
        get_session().commit()
        flash(f"Page {page.position} added", "success")
        return back_to_builder(consultation, f"page-{page.id}")
    errors = error_list(form)
    return render_template(
        "consultations/page.html", form=form, consultation=consultation, errors=errors, page=None
    ), (400 if errors else 200)


@bp.route("/<int:consultation_id>/pages/<int:page_id>/edit", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def edit_page(consultation_id: int, page_id: int) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    page = owned_page(consultation, page_id)
    form = PageForm(data={"title": page.title, "intro": page.intro})
    if form.validate_on_submit():
        builder.update_page(
            get_session(), page, title=form.title.data or "", intro=form.intro.data or ""
        )
        get_session().commit()
        flash(f"Page {page.position} saved", "success")
        return back_to_builder(consultation, f"page-{page.id}")
    errors = error_list(form)
    return render_template(
        "consultations/page.html", form=form, consultation=consultation, errors=errors, page=page
    ), (400 if errors else 200)


@bp.post("/<int:consultation_id>/pages/<int:page_id>/move")
@role_required(Role.OFFICER)
def move_page(consultation_id: int, page_id: int) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    page = owned_page(consultation, page_id)
    one_click(
        consultation,
        lambda: builder.move_page(get_session(), consultation, page, _offset()),
        lambda: f"Page moved {request.form['direction']}: it is now page {page.position}",
    )
    return back_to_builder(consultation, f"page-{page.id}")


@bp.route("/<int:consultation_id>/pages/<int:page_id>/delete", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def delete_page(consultation_id: int, page_id: int) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    page = owned_page(consultation, page_id)
    refused = refuse_unless_structure(consultation)
    if refused:
        return refused
    questions = questions_on(consultation, page)
    others = [p for p in outline.pages_of(consultation) if p.id != page.id]
    form = DeletePageForm()
    form.move_to.choices = [SelectChoice(p.id, outline.page_heading(p)) for p in others]
    if others and form.validate_on_submit():
        session = get_session()
        move_to = owned_page(consultation, form.move_to.data) if form.move_to.data else None
        number = page.position
        try:
            removed = builder.delete_page(session, consultation, page, move_to=move_to)
        except EditError as exc:
            session.rollback()
            form.move_to.errors = [str(exc)]
        else:
            session.commit()
            report(f"Page {number} deleted", removed)
            return back_to_builder(consultation, "questions")
    errors = error_list(form)
    return render_template(
        "consultations/page_delete.html",
        form=form,
        consultation=consultation,
        page=page,
        questions=questions,
        others=others,
        errors=errors,
    ), (400 if errors else 200)
