"""A consultation with a question of every type and answers that use every part of them."""

from __future__ import annotations

import secrets
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from surveys import services
from surveys.base import utcnow
from surveys.models import Consultation, Response
from surveys.options import option_list
from surveys.questions import get_type
from tests import factories


def every_type(session: Session, **kw: Any) -> Consultation:
    anonymous, equalities = kw.pop("anonymous", True), kw.pop("equalities", False)
    item = factories.consultation(questions=False, **kw)
    item.anonymous, item.equalities = anonymous, equalities
    add = partial(services.add_question, session, item)
    add(type="information", title="About your area", hint="Where you live.")
    add(
        type="single_choice",
        title="How do you usually travel?",
        required=True,
        options=["Bus", "Car", "Walking"],
        settings={"allow_other": True},
    )
    add(
        type="multiple_choice",
        title="Which services do you use?",
        options=["Library", "Gym", "Pool"],
        settings={"allow_other": True, "max_choices": 2},
    )
    add(type="rating_scale", title="The park is well kept")
    add(
        type="matrix",
        title="How good are these?",
        options=["Good", "Poor"],
        settings={"rows": option_list(["Buses", "Roads"], prefix="r")},
    )
    add(type="ranking", title="Rank these priorities", options=["Jobs", "Housing", "Health"])
    add(type="short_text", title="Your street name")
    add(type="long_text", title="Anything else?", settings={"max_length": 300})
    add(
        type="number",
        title="How many people live in your home?",
        settings={"min_value": -5, "max_value": 20},
    )
    add(type="date", title="When did you move here?")
    add(type="email", title="Email, if you want a reply")
    add(
        type="locality",
        title="Where do you live?",
        options=["Drumlee", "Kirkhallie"],
        settings={"postcodes": {"KA1": "Drumlee"}},
    )
    add(type="consent", title="Can we use your answers in our report?")
    session.flush()
    return item


# Form values for two responses: everything answered (with formula-like text), and the least.
FULL = {
    "single_choice": {"": ["other"], "-other": ['=HYPERLINK("http://x")']},
    "multiple_choice": {"": ["o1", "other"], "-other": ["+44 Gym"]},
    "rating_scale": {"": ["o2"]},
    "matrix": {"-r1": ["o1"], "-r2": ["o2"]},
    "ranking": {"-o1": ["2"], "-o2": ["1"], "-o3": ["3"]},
    "short_text": {"": ["@Main Street"]},
    "long_text": {"": ["-Line one\nLine two, with “quotes”, commas and Gàidhlig"]},
    "number": {"": ["-2.5"]},
    "date": {"-day": ["27"], "-month": ["3"], "-year": ["2007"]},
    "email": {"": ["someone@example.org"]},
    "locality": {"": ["o2"]},
    "consent": {"": ["yes"]},
}
LEAST = {
    "single_choice": {"": ["o1"]},
    "consent": {"": ["yes"]},
    "ranking": {"-o3": ["1"]},
}


def form_for(item: Consultation, values: dict[str, dict[str, list[str]]]) -> dict[str, list[str]]:
    form: dict[str, list[str]] = {}
    for question in item.questions:
        for suffix, raw in values.get(question.type, {}).items():
            form[question.field_name + suffix] = raw
    return form


def answer(item: Consultation, values: dict[str, dict[str, list[str]]], **kw: Any) -> Response:
    parsed, errors = services.parse_answers(item.questions, form_for(item, values))
    assert errors == []
    return services.submit_response(
        factories.session(),
        item,
        parsed,
        token=secrets.token_urlsafe(24),
        now=kw.pop("now", utcnow()),
        **kw,
    )


def answers_of(response: Response) -> dict[str, tuple[Any, str | None]]:
    """A response's answers by question type (one question of each), comparable across copies."""
    from sqlalchemy import select

    from surveys.models import Answer, Question

    rows = factories.session().execute(
        select(Question.type, Answer.value, Answer.text)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.response_id == response.id)
    )
    return {qtype: (value, text) for qtype, value, text in rows}


__all__ = ["FULL", "LEAST", "answer", "answers_of", "every_type", "form_for", "get_type"]
