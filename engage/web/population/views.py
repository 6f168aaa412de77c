"""Officers enter or import the population figures; JOG members may read them."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from engage.accounts.models import Role
from engage.db import get_session
from engage.population import services as population
from engage.web.auth.guard import role_required
from engage.web.population import bp
from surveys import equalities
from surveys.equalities import PREFER_NOT, BlockQuestion
from surveys.population import FigureError, parse_people, read_csv

SOURCE_MAX = 300


def block() -> list[BlockQuestion]:
    return equalities.questions(current_app.config["LOCALITIES"])


def groups(question: BlockQuestion) -> list[dict[str, str]]:
    return [o for o in question.options if o["value"] != PREFER_NOT]


def field_name(question: BlockQuestion, value: str) -> str:
    return f"people-{question.key}-{value}"


def render(
    entered: dict[str, str], errors: list[dict[str, str]], import_error: str = "", status: int = 200
) -> ResponseReturnValue:
    figures = population.load(get_session())
    return render_template(
        "population/index.html",
        questions=block(),
        groups=groups,
        field_name=field_name,
        figures=figures,
        entered=entered,
        errors=errors,
        import_error=import_error,
        can_edit=current_user.has_role(Role.OFFICER),
    ), status


def saved_values() -> dict[str, str]:
    """What the form shows before anything is typed: the stored figures, written with commas."""
    figures = population.load(get_session())
    values = {}
    for question in block():
        for option in groups(question):
            n = figures.of(question.key).get(option["value"])
            if n is not None:
                values[field_name(question, option["value"])] = f"{n:,}"
        values[f"source-{question.key}"] = figures.sources.get(question.key, "")
    return values


@bp.get("/")
@role_required(Role.OFFICER, Role.JOG)
def index() -> ResponseReturnValue:
    return render(saved_values(), [])


@bp.post("/")
@role_required(Role.OFFICER)
def save() -> ResponseReturnValue:
    entered = {key: value for key, value in request.form.items() if key != "csrf_token"}
    errors: list[dict[str, str]] = []
    parsed: dict[str, dict[str, int]] = {}
    for question in block():
        parsed[question.key] = {}
        for option in groups(question):
            name = field_name(question, option["value"])
            what = f"people in the group “{option['label']}” ({question.title})"
            try:
                n = parse_people(entered.get(name, ""), what)
            except FigureError as error:
                errors.append({"text": str(error), "href": f"#{name}"})
                continue
            if n is not None:
                parsed[question.key][option["value"]] = n
        source = entered.get(f"source-{question.key}", "")
        if len(source) > SOURCE_MAX:
            errors.append(
                {
                    "text": f"The source must be {SOURCE_MAX} characters or fewer",
                    "href": f"#source-{question.key}",
                }
            )
    if errors:
        return render(entered, errors, status=400)
    session = get_session()
    for question in block():
        population.replace(
            session,
            question.key,
            parsed[question.key],
            source=entered.get(f"source-{question.key}", "").strip(),
            user_id=current_user.id,
        )
    session.commit()
    flash("Population figures saved", "success")
    return redirect(url_for("population.index"))


@bp.post("/import")
@role_required(Role.OFFICER)
def import_csv() -> ResponseReturnValue:
    upload: Any = request.files.get("file")
    if upload is None or not upload.filename:
        return render(saved_values(), [], import_error="Select a CSV file", status=400)
    try:
        rows = read_csv(upload.read(), block())
    except FigureError as error:
        return render(saved_values(), [], import_error=str(error), status=400)
    session = get_session()
    count = population.merge(
        session, ((r.attribute, r.value, r.people) for r in rows), user_id=current_user.id
    )
    session.commit()
    flash(f"Imported {count} population figures", "success")
    return redirect(url_for("population.index"))
