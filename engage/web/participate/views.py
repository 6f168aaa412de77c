"""Residents answering a consultation page by page: check answers, save and resume, submit.

Each view is registered on the hub blueprint and on the embed blueprint (partner websites), which
differ only in their layout and the channel they record.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import IntegrityError

from engage import outbox, ratelimit
from engage.db import get_session
from engage.mail import queue_email
from engage.panel.exercises import record_response
from engage.participate.store import store_submission
from engage.web import formguard
from engage.web.participate import bp, embed_bp
from engage.web.participate.journey import (
    ABOUT_YOU,
    CHECK,
    Journey,
    form_values,
    key_is_valid,
)
from engage.web.participate.pages import (
    accepting,
    check_rows,
    journey_for,
    journey_with,
    render_about_you,
    render_page,
    render_step,
    resume_point,
)
from engage.web.public.views import public_consultation, public_survey
from engage.web.security import csrf
from surveys import drafts, equalities, links, services
from surveys.errors import ConsultationNotOpen
from surveys.models import Channel, Consultation, Draft, Response
from surveys.questions import Parsed
from surveys.services import FieldError

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EXPIRED = "Your session had expired. Check your answers and send them again."
# A saved draft may ask for its link by email this many times; the count lives in its values.
EMAILS_SENT = "_emails_sent"
MAX_EMAILS = 3


# The hub and the embed share every view below; `embedded` comes from the blueprint.


def start(slug: str, embedded: bool = False) -> ResponseReturnValue:
    item = public_consultation(slug)
    if item.personal_links_only:
        abort(404)  # no one starts without their own link
    if (closed := accepting(item, embedded)) is not None:
        return closed
    journey = Journey(item, token=drafts.new_token(), mode="embed" if embedded else "hub")
    params = {"via": request.args["via"]} if request.args.get("via") else {}
    return redirect(journey.url(journey.steps()[0], **params))


def persist(journey: Journey) -> Draft:
    """Keep the journey's answers in its draft, creating the draft on the first step."""
    link = None
    if journey.draft is None:
        link = links.resolve(get_session(), journey.consultation, request.form.get("via"))
        # The survey's time counts from when its first page was shown (a genuine signed note),
        # or from now for a form that came without one.
        begun = formguard.started_at(request.form.get(formguard.STARTED)) or datetime.now(UTC)
        journey.values[drafts.STARTED] = [begun.isoformat()]
    journey.draft = drafts.save(
        get_session(),
        journey.consultation,
        journey.draft,
        token=journey.token,
        values=journey.values,
        path=journey.path,
        now=datetime.now(UTC),
        channel=links.channel_for(link, journey.embedded),
        tracked_link_id=link.id if link else None,
    )
    return journey.draft


def take_step(
    journey: Journey, target: str | int, values: dict[str, list[str]]
) -> tuple[dict[Any, Parsed], list[FieldError]]:
    """Read a step's answers; when they are all valid, the journey takes them and moves on.

    Shared by residents (who then keep the draft) and the officer's preview (which keeps
    nothing).
    """
    questions = journey.questions_for(target)
    answers, errors = services.parse_answers(questions, values)
    if not errors:
        journey.record(target, questions, values, done=True)
    return answers, errors


BUSY = (
    "A great many responses have been started from your network in the last hour, so new ones "
    "from it are paused for a while. Wait a few minutes, then send this page again: what you "
    "typed has been kept."
)


def may_start(consultation: Consultation) -> bool:
    """A new response (its draft is made by the first page sent) counts against a per-address,
    per-consultation limit, set high because schools and libraries share one address."""
    allowed = current_app.config["SURVEY_STARTS_PER_HOUR"]
    limit = ratelimit.Limit(f"survey.{consultation.id}.start.ip", allowed, timedelta(hours=1))
    return ratelimit.within(get_session(), (limit,), now=datetime.now(UTC))


def render_for(journey: Journey, target: str | int, **kwargs: Any) -> ResponseReturnValue:
    """The page for a step: a page of questions, About you, or check your answers."""
    if target == CHECK:
        return render_step(journey, "participate/check.html", sections=check_rows(journey))
    if target == ABOUT_YOU:
        if not journey.equalities_block():
            abort(404)
        return render_about_you(journey, **kwargs)
    page = journey.page(target) if isinstance(target, int) else None
    if page is None:
        abort(404)
    return render_page(journey, page, **kwargs)


def step(slug: str, token: str, step: str, embedded: bool = False) -> ResponseReturnValue:
    item = public_consultation(slug)
    if (closed := accepting(item, embedded)) is not None:
        return closed
    if services.find_response(get_session(), token) is not None:
        return redirect(journey_for(item, token, embedded).endpoint("thank_you"))
    journey = journey_for(item, token, embedded)
    if step == CHECK:
        return check(journey)
    if step != ABOUT_YOU and not step.isdigit():
        abort(404)
    return answer_step(journey, int(step) if step.isdigit() else step)


def answer_step(journey: Journey, target: str | int) -> ResponseReturnValue:
    """Show a step, or take its answers and go to the next (``change=1``: back to check)."""
    if target not in journey.steps() and (isinstance(target, str) or journey.page(target) is None):
        abort(404)  # no such page, or no About you in this survey
    if request.method == "GET":
        if journey.draft is None and target != journey.steps()[0]:
            return redirect(journey.url(journey.steps()[0]))
        return render_for(journey, target)
    values = form_values(request.form)
    if not key_is_valid(journey.token, request.form.get("form_key")):
        answers, errors = services.parse_answers(journey.questions_for(target), values)
        return render_for(
            journey, target, answers=answers, errors=errors, notice=EXPIRED, status=400
        )
    if formguard.honeypot_filled(request.form):
        answers, _ = services.parse_answers(journey.questions_for(target), values)
        return render_for(journey, target, answers=answers, notice=formguard.AGAIN, status=400)
    if journey.draft is None and not may_start(journey.consultation):
        answers, _ = services.parse_answers(journey.questions_for(target), values)
        return render_for(journey, target, answers=answers, notice=BUSY, status=429)
    if request.form.get("action") == "save":
        return save_for_later(journey, target, values)
    answers, errors = take_step(journey, target, values)
    if errors:
        return render_for(journey, target, answers=answers, errors=errors, status=400)
    persist(journey)
    get_session().commit()
    changing = request.form.get("change") == "1"
    return redirect(journey.url(journey.next_step(target, changing=changing)), 303)


def check(journey: Journey) -> ResponseReturnValue:
    if journey.draft is None:
        return redirect(journey.url(journey.steps()[0]))
    unvisited = journey.next_step(0, changing=True)
    if unvisited != CHECK:
        return redirect(journey.url(unvisited))
    if request.method == "POST":
        abort(405)  # the check page sends its answers to submit
    walk = journey.walk()
    _, errors = services.parse_answers(walk.asked, journey.values)
    if errors:
        # A changed answer revealed a required question on a page already seen: ask it there.
        page = next(q.page for q in walk.asked if q.id == errors[0][0])
        return redirect(journey.url(page.position, change=1))
    return render_step(journey, "participate/check.html", sections=check_rows(journey))


def submit(slug: str, token: str, embedded: bool = False) -> ResponseReturnValue:
    """Store the response, its answers and its outbox row in one transaction.

    The busiest path under load, so it asks the database only what it must: a live draft means
    no response has this token yet (both change in one transaction), so the response lookup is
    only made without one; a panel invitation is only looked for from a panel draft; and the
    writes are one statement on PostgreSQL (``engage.participate.store``).
    """
    if not drafts.TOKEN.match(token):
        abort(404)
    item, draft = public_survey(slug, token)  # one query for the consultation and the draft
    session = get_session()
    journey = journey_with(item, token, embedded, draft)
    if draft is None:
        if services.find_response(session, token) is not None:
            return redirect(journey.endpoint("thank_you"), 303)
        if (closed := accepting(item, embedded)) is not None:
            return closed
        return redirect(journey.url(journey.steps()[0]), 303)
    if (closed := accepting(item, embedded)) is not None:
        return closed
    if not key_is_valid(token, request.form.get("form_key")):
        return render_step(
            journey, "participate/check.html", 400, sections=check_rows(journey), notice=EXPIRED
        )
    if formguard.too_soon(request.form, started=drafts.started(draft)):
        return render_step(
            journey,
            "participate/check.html",
            400,
            sections=check_rows(journey),
            notice=formguard.AGAIN,
        )
    walk = journey.walk()
    answers, errors = services.parse_answers(walk.asked, journey.values)
    if errors:  # a required answer missing, say after the officer edited a page: show that page
        first = next(q for q in walk.asked if q.id == errors[0][0])
        page_errors = [e for e in errors if e[0] in {q.id for q in walk.asked_on(first.page)}]
        return render_page(journey, first.page, errors=page_errors, status=400)
    codes, _ = equalities.parse(journey.equalities_block(), journey.values)
    try:
        # The response, its answers, its outbox row (work after a response goes through the
        # outbox, committed with it: never the broker) and the draft's deletion, together.
        response_id = store_submission(
            session, item, answers, draft=draft, equalities=codes, now=datetime.now(UTC)
        )
        if draft.channel == Channel.PANEL:  # the panel member's invitation
            record_response(session, token, session.get_one(Response, response_id))
        session.commit()
    except ConsultationNotOpen:
        session.rollback()
        return accepting(item, embedded) or ("", 410)
    except IntegrityError:
        session.rollback()  # two submits raced; the other one stored the response
    return redirect(journey.endpoint("thank_you"), 303)


def save_for_later(
    journey: Journey, target: str | int, values: dict[str, list[str]]
) -> ResponseReturnValue:
    """Keep everything entered on this step, valid or not, and give the person a resume code.

    The step is kept as entered but not counted as done, so resuming comes back to it.
    """
    journey.record(target, journey.questions_for(target), values, done=False)
    draft = persist(journey)
    code = drafts.issue_code(draft)
    # A new address too: on a shared computer, the old one in the browser's history now leads
    # to an empty survey, and only the code (or the emailed link) finds these answers.
    draft.token = journey.token = drafts.new_token()
    get_session().commit()
    return render_step(journey, "participate/saved.html", code=code, email_sent=None)


def email_link(slug: str, token: str, embedded: bool = False) -> ResponseReturnValue:
    item = public_consultation(slug)
    if (closed := accepting(item, embedded)) is not None:
        return closed
    journey = journey_for(item, token, embedded)
    code = drafts.normalise_code(request.form.get("code", ""))
    code = "-".join(code[i : i + 4] for i in range(0, len(code), 4))
    draft = journey.draft
    if draft is None or draft.code_hash != drafts.hash_code(code):
        abort(404)
    if not key_is_valid(token, request.form.get("form_key")):
        abort(400)
    sent = int(draft.values.get(EMAILS_SENT, ["0"])[0])
    if sent >= MAX_EMAILS:
        error = "We have already sent this link by email. Use your resume code instead."
        return render_step(journey, "participate/saved.html", 429, code=code, email_error=error)
    email = request.form.get("email", "").strip()
    if not EMAIL.match(email):
        error = "Enter an email address in the correct format, like name@example.com"
        return render_step(
            journey, "participate/saved.html", 400, code=code, email=email, email_error=error
        )
    draft.values = {**draft.values, EMAILS_SENT: [str(sent + 1)]}
    link = url_for(  # the hub's page, even when asked from a partner's frame
        "participate.resume_link",
        slug=item.slug,
        code=code,
        _external=True,
    )
    closes = f" before it closes on {item.closes_at:%-d %B %Y}" if item.closes_at else ""
    message = queue_email(
        get_session(),
        to=email,
        subject=f"Your saved answers: {item.title}",
        body=(
            f"You saved your answers to “{item.title}”.\n\n"
            f"To carry on{closes}, open this link:\n{link}\n\n"
            f"Or go to the consultation and enter your resume code: {code}\n\n"
            "We have not kept your email address. If you did not ask for this, ignore it."
        ),
    )
    outbox.enqueue(get_session(), outbox.SEND_MAIL_TASK, [], key=f"email:{message.id}")
    get_session().commit()  # the dispatcher asks a worker to send it: no wait on the broker
    return render_step(journey, "participate/saved.html", code=code, email_sent=email)


def resume(slug: str, embedded: bool = False) -> ResponseReturnValue:
    item = public_consultation(slug)
    if (closed := accepting(item, embedded)) is not None:
        return closed
    context = {"consultation": item, "embedded": embedded, "code": "", "error": None}
    if request.method == "POST":
        code = request.form.get("code", "")
        draft = drafts.find_by_code(get_session(), item, code, now=datetime.now(UTC))
        if draft is not None:
            return redirect(resume_point(item, draft, embedded), 303)
        context["code"] = code
        context["error"] = (
            "Enter your resume code"
            if not code.strip()
            else "We could not find saved answers "
            "for that code. Check the code and try again: it looks like ABCD-EFGH-JKLM."
        )
        return render_template("participate/resume.html", **context), 400
    return render_template("participate/resume.html", **context)


def resume_link(slug: str, code: str, embedded: bool = False) -> ResponseReturnValue:
    item = public_consultation(slug)
    if (closed := accepting(item, embedded)) is not None:
        return closed
    draft = drafts.find_by_code(get_session(), item, code, now=datetime.now(UTC))
    if draft is None:
        context = {"consultation": item, "embedded": embedded, "code": code}
        context["error"] = "This link has expired or was replaced by a newer one. Enter your code."
        return render_template("participate/resume.html", **context), 404
    return redirect(resume_point(item, draft, embedded), 303)


def thank_you(slug: str, embedded: bool = False) -> ResponseReturnValue:
    item = public_consultation(slug)
    return render_template("participate/thank_you.html", consultation=item, embedded=embedded)


def register(blueprint: Blueprint, embedded: bool) -> None:
    defaults = {"embedded": embedded}
    rules: list[tuple[str, Any, list[str]]] = [
        ("/<slug>/respond", start, ["GET"]),
        ("/<slug>/respond/<token>/submit", submit, ["POST"]),
        ("/<slug>/respond/<token>/email", email_link, ["POST"]),
        ("/<slug>/respond/<token>/<step>", step, ["GET", "POST"]),
        ("/<slug>/resume", resume, ["GET", "POST"]),
        ("/<slug>/resume/<code>", resume_link, ["GET"]),
        ("/<slug>/thank-you", thank_you, ["GET"]),
    ]
    for rule, view, methods in rules:
        blueprint.add_url_rule(
            rule, view.__name__, csrf.exempt(view), methods=methods, defaults=defaults
        )


register(bp, embedded=False)
register(embed_bp, embedded=True)


@bp.after_request
@embed_bp.after_request
def not_stored_by_browsers(response: Any) -> Any:
    """Survey pages hold a person's answers: no browser or proxy cache may keep them."""
    response.headers["Cache-Control"] = "no-store"
    return response
