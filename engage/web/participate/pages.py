"""How a resident's steps are found and drawn: the journey a token names, whether the
consultation still takes answers, each page of questions, "About you", the check-answers rows,
and the address where a saved draft carries on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue

from engage.db import get_session
from engage.web.participate.journey import (
    ABOUT_YOU,
    Journey,
    form_key,
)
from surveys import drafts, equalities, services
from surveys.models import Consultation, ConsultationStatus, Draft, Page
from surveys.questions import Parsed, get_type
from surveys.services import FieldError


def render_step(journey: Journey, template: str, status: int = 200, **context: Any) -> Any:
    return (
        render_template(
            template,
            journey=journey,
            consultation=journey.consultation,
            embedded=journey.embedded,
            preview=journey.preview,
            form_key=form_key(journey.token),
            **context,
        ),
        status,
    )


def render_page(
    journey: Journey,
    page: Page,
    *,
    answers: dict[Any, Parsed] | None = None,
    errors: Sequence[FieldError] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """One page of questions. ``errors`` are (question id, field id, message)."""
    questions = journey.shown_on(page)
    errors = errors or []
    previous = journey.previous_step(page.position)
    return render_step(
        journey,
        "participate/page.html",
        status,
        page=page,
        questions=questions,
        answers=answers if answers is not None else journey.answers_for(questions),
        errors=errors,
        error_for={qid: message for qid, _, message in errors},
        numbers=journey.numbers(),
        first=page.position == journey.consultation.pages[0].position,
        back=journey.url(previous) if previous is not None else None,
        changing=request.values.get("change") == "1",
        notice=notice,
    )


def render_about_you(
    journey: Journey,
    *,
    answers: dict[Any, Parsed] | None = None,
    errors: Sequence[FieldError] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    block = journey.equalities_block()
    previous = journey.previous_step(ABOUT_YOU)
    return render_step(
        journey,
        "participate/about_you.html",
        status,
        questions=block,
        answers=answers if answers is not None else journey.answers_for(block),
        errors=errors or [],
        error_for={qid: message for qid, _, message in errors or []},
        intro=equalities.PAGE_INTRO,
        back=journey.url(previous) if previous is not None else None,
        changing=request.values.get("change") == "1",
    )


def check_rows(journey: Journey) -> list[dict[str, Any]]:
    """The check-answers page: one section per page, each answer with its Change link."""
    walk = journey.walk()
    numbers = journey.numbers()
    sections = []
    for page in walk.pages:
        rows = []
        for question in walk.asked_on(page):
            qtype = get_type(question.type)
            if not qtype.has_input:
                continue
            parsed = qtype.read(question, journey.values)
            shown = "" if parsed.is_empty else qtype.display(question, parsed.value, parsed.text)
            rows.append(
                {
                    "number": numbers[question.id],
                    "question": question.title,
                    "answer": shown or "Not answered",
                    "step": page.position,
                    "anchor": qtype.error_target(question),
                }
            )
        sections.append({"title": page.title, "rows": rows})
    block = journey.equalities_block()
    if block:
        values, _ = equalities.parse(block, journey.values)
        rows = [
            {
                "question": q.title,
                "answer": q.option_label(values[q.key]) if q.key in values else "Not answered",
                "step": ABOUT_YOU,
                "anchor": q.field_name,
            }
            for q in block
        ]
        sections.append({"title": equalities.PAGE_TITLE, "rows": rows})
    return sections


def journey_for(consultation: Consultation, token: str, embedded: bool) -> Journey:
    if not drafts.TOKEN.match(token):
        abort(404)
    draft = drafts.get(get_session(), consultation, token)
    return journey_with(consultation, token, embedded, draft)


def journey_with(
    consultation: Consultation, token: str, embedded: bool, draft: Draft | None
) -> Journey:
    """The journey for ``token`` whose draft (for this consultation) was already looked up."""
    if draft is None and drafts.token_taken(get_session(), token):
        abort(404)  # another consultation's draft (a panel link's, say): never answer it here
    if draft is None and consultation.personal_links_only:
        abort(404)  # answered only from a personal link, which starts the draft
    return Journey(
        consultation,
        token=token,
        mode="embed" if embedded else "hub",
        values={k: list(v) for k, v in draft.values.items()} if draft else {},
        path=list(draft.path) if draft else [],
        draft=draft,
    )


def accepting(consultation: Consultation, embedded: bool) -> ResponseReturnValue | None:
    if services.is_accepting(consultation, datetime.now(UTC)):
        return None
    status = 404 if consultation.status == ConsultationStatus.SCHEDULED else 410
    page = render_template("participate/closed.html", consultation=consultation, embedded=embedded)
    return page, status


def resume_point(consultation: Consultation, draft: Draft, embedded: bool) -> str:
    journey = journey_for(consultation, draft.token, embedded)
    return journey.url(journey.resume_step())
