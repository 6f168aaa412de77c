"""Routing rules ("If 'No', go to page 4") and show-if conditions, set one question at a time."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from engage.accounts.models import Role
from engage.db import get_session
from engage.web.auth.guard import role_required
from engage.web.consultations import bp
from engage.web.consultations.builder import (
    back_to_builder,
    owned_question,
    refuse_unless_structure,
)
from engage.web.consultations.forms import ConditionForm, ConditionValuesForm, routing_form
from engage.web.consultations.views import managed_consultation
from engage.web.forms import SelectChoice, error_list
from surveys import builder, outline
from surveys.builder import NEXT, EditError
from surveys.routing import END, ROUTABLE_TYPES

ALWAYS = "always"


@bp.route("/<int:consultation_id>/questions/<int:question_id>/routing", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def routing(consultation_id: int, question_id: int) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    question = owned_question(consultation, question_id)
    if question.type not in ROUTABLE_TYPES:
        abort(404)
    refused = refuse_unless_structure(consultation)
    if refused:
        return refused
    later = outline.later_pages(consultation, question)
    targets = [
        SelectChoice(
            NEXT, "Go to the next page" if later else "Go to the end (this is the last page)"
        ),
        *(SelectChoice(str(p.id), f"Go to {outline.page_label(p)}") for p in later),
        SelectChoice(END, "Go to the end of the survey"),
    ]
    current = {f"route_{value}": str(target) for value, target in question.routes.items()}
    form = routing_form(question.options, targets, current)
    if form.validate_on_submit():
        chosen = {o["value"]: form[f"route_{o['value']}"].data for o in question.options}
        try:
            builder.set_routes(get_session(), consultation, question, chosen)
        except EditError as exc:
            get_session().rollback()
            form[exc.field or f"route_{question.options[0]['value']}"].errors = [str(exc)]
        else:
            get_session().commit()
            flash("Routing saved", "success")
            return back_to_builder(consultation, f"question-{question.id}")
    errors = error_list(form)
    return render_template(
        "consultations/routing.html",
        form=form,
        consultation=consultation,
        question=question,
        page=question.page,
        errors=errors,
    ), (400 if errors else 200)


@bp.route("/<int:consultation_id>/questions/<int:question_id>/condition", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def condition(consultation_id: int, question_id: int) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    question = owned_question(consultation, question_id)
    refused = refuse_unless_structure(consultation)
    if refused:
        return refused
    sources = outline.condition_sources(consultation, question)
    current = str(question.show_if["question_id"]) if question.show_if else ALWAYS
    form = ConditionForm(data={"source": current})
    form.source.choices = [
        SelectChoice(ALWAYS, "Always"),
        *(
            SelectChoice(
                str(s.id),
                f"Depending on the answer to '{s.title}' ({outline.page_label(s.page)})",
            )
            for s in sources
        ),
    ]
    if sources and form.validate_on_submit():
        if form.source.data == ALWAYS:
            builder.set_condition(get_session(), consultation, question, None)
            get_session().commit()
            flash("Condition removed: the question is always asked", "success")
            return back_to_builder(consultation, f"question-{question.id}")
        return redirect(
            url_for(
                "consultations.condition_values",
                consultation_id=consultation.id,
                question_id=question.id,
                source_id=int(form.source.data),
            )
        )
    errors = error_list(form)
    return render_template(
        "consultations/condition.html",
        form=form,
        consultation=consultation,
        question=question,
        sources=sources,
        errors=errors,
    ), (400 if errors else 200)


@bp.route(
    "/<int:consultation_id>/questions/<int:question_id>/condition/<int:source_id>",
    methods=["GET", "POST"],
)
@role_required(Role.OFFICER)
def condition_values(consultation_id: int, question_id: int, source_id: int) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    question = owned_question(consultation, question_id)
    source = owned_question(consultation, source_id)
    refused = refuse_unless_structure(consultation)
    if refused:
        return refused
    if source not in outline.condition_sources(consultation, question):
        abort(404)
    rule = question.show_if or {}
    chosen = rule.get("values", []) if rule.get("question_id") == source.id else []
    form = ConditionValuesForm(data={"values": chosen})
    form.values.choices = [SelectChoice(o["value"], o["label"]) for o in source.options]
    if form.validate_on_submit():
        try:
            builder.set_condition(
                get_session(), consultation, question, source.id, form.values.data or []
            )
        except EditError as exc:
            get_session().rollback()
            form.values.errors = [str(exc)]
        else:
            get_session().commit()
            flash("Condition saved", "success")
            return back_to_builder(consultation, f"question-{question.id}")
    errors = error_list(form)
    return render_template(
        "consultations/condition_values.html",
        form=form,
        consultation=consultation,
        question=question,
        source=source,
        errors=errors,
    ), (400 if errors else 200)
