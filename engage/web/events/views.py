"""Public event pages: the listing by area and type, an event's page, signing up (with access
needs), the confirmation, a person's own booking page (change or cancel, no login), the calendar
file, the feedback link, and partner nominations for JOG members (the events open for
nomination, and the form for each).

Every page works without JavaScript; a form with mistakes shows them and keeps what was typed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from engage import ratelimit
from engage.accounts.models import Role
from engage.db import get_session
from engage.events import attendance, emails, ics, services
from engage.events import nominations as partner_places
from engage.events.models import (
    KIND_LABELS,
    NEEDS,
    Audience,
    Event,
    EventSignup,
    SignupStatus,
)
from engage.mail import nudge_sender
from engage.web import formguard
from engage.web.auth.guard import role_required
from engage.web.events import bp, forms
from engage.web.forms import first_errors
from engage.web.participate.pages import resume_point
from surveys.models import Consultation

FEEDBACK_REFUSED = {
    "unknown": "This feedback link is not right",
    "answered": "You have already given your feedback",
    "closed": "The feedback survey has closed",
}


# Each sign-up sends an email, so they are limited per email address and per network address
# (generously: a library PC or an office signs several people up).
SIGN_UP_LIMITS = (
    ratelimit.Limit("events.sign_up.address", 10, timedelta(days=1)),
    ratelimit.Limit("events.sign_up.ip", 60, timedelta(hours=1)),
)
TOO_MANY = ratelimit.too_many("sign-ups")


def now() -> datetime:
    return datetime.now(UTC)


def localities() -> list[str]:
    return list(current_app.config["LOCALITIES"])


def nudge() -> None:
    nudge_sender(get_session())  # an outbox row: the dispatcher talks to Redis, never the request
    get_session().commit()


def event_or_404(event_id: int) -> Event:
    event = get_session().get(Event, event_id)
    if event is None:
        abort(404)
    if event.audience == Audience.PARTNERS and not _staff():
        abort(404)
    return event


def _staff() -> bool:
    return current_user.is_authenticated and current_user.has_role(
        Role.OFFICER, Role.JOG, Role.ADMIN
    )


def signup_or_404(token: str) -> EventSignup:
    signup = services.signup_by_token(get_session(), token)
    if signup is None:
        abort(404)
    return signup


@bp.app_template_filter("event_time")
def event_time(event: Event) -> str:
    return services.event_time(event)


@bp.get("/")
def index() -> ResponseReturnValue:
    locality = request.args.get("locality", "")
    kind = request.args.get("kind", "")
    locality = locality if locality in localities() else ""
    kind = kind if kind in KIND_LABELS else ""
    db = get_session()
    return render_template(
        "events/index.html",
        events=services.upcoming(db, now=now(), locality=locality, kind=kind),
        cancelled=services.upcoming(db, now=now(), locality=locality, kind=kind, cancelled=True),
        past=services.past_with_outcomes(db, now=now()),
        localities=localities(),
        kinds=KIND_LABELS,
        locality=locality,
        kind=kind,
        state=lambda e: services.signup_state(e, now()),
    )


@bp.get("/<int:event_id>")
def event(event_id: int) -> ResponseReturnValue:
    item = event_or_404(event_id)
    can_nominate = (
        item.audience == Audience.PARTNERS
        and current_user.is_authenticated
        and current_user.has_role(Role.JOG)
        and current_user.organisation_id is not None
    )
    return render_template(
        "events/event.html",
        event=item,
        state=services.signup_state(item, now()),
        can_nominate=can_nominate,
        paragraphs=_paragraphs,
    )


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def sign_up_form() -> forms.SignUpForm:
    form = forms.SignUpForm()
    form.offer(localities())
    return form


def signup_page(
    template: str,
    event: Event,
    details: services.Details,
    errors: dict[str, str],
    status: int | None = None,
    **extra: Any,
) -> ResponseReturnValue:
    """The sign-up (or nomination) form; 400 when it has errors unless ``status`` says."""
    return render_template(
        template,
        event=event,
        details=details,
        errors=errors,
        needs=NEEDS,
        localities=localities(),
        **extra,
    ), status or (400 if errors else 200)


@bp.route("/<int:event_id>/sign-up", methods=["GET", "POST"])
def sign_up(event_id: int) -> ResponseReturnValue:
    item = event_or_404(event_id)
    if item.audience == Audience.PARTNERS:
        return redirect(url_for("events.event", event_id=item.id))
    state = services.signup_state(item, now())
    if state != "open":
        return render_template("events/closed.html", event=item, state=state), 410
    if request.method == "GET":
        return signup_page("events/sign_up.html", item, services.Details(), {})
    form = sign_up_form()
    errors = {} if form.validate() else first_errors(form)
    details = form.details()
    started = formguard.kept(request.form)
    if errors:
        return signup_page("events/sign_up.html", item, details, errors, started=started)
    if formguard.too_soon(request.form):
        return signup_page(
            "events/sign_up.html", item, details, {}, 400, started=started, notice=formguard.AGAIN
        )
    db = get_session()
    if not ratelimit.within(db, SIGN_UP_LIMITS, address=details.email, now=now()):
        return signup_page(
            "events/sign_up.html", item, details, {}, 429, started=started, notice=TOO_MANY
        )
    try:
        signup = services.sign_up(db, item, details, now=now())
    except services.EventError:  # cancelled while this form was being sent
        db.rollback()
        return render_template("events/closed.html", event=item, state="cancelled"), 410
    emails.confirmation(db, signup, services.waiting_position(db, signup))
    db.commit()
    nudge()
    return redirect(url_for("events.booking", token=services.manage_token(signup), new=1), 303)


@bp.route("/booking/<token>", methods=["GET", "POST"])
def booking(token: str) -> ResponseReturnValue:
    """A person's own page: their place or waiting-list position, their details and needs."""
    signup = signup_or_404(token)
    db = get_session()
    if request.method == "POST":
        if signup.status == SignupStatus.CANCELLED or signup.event.cancelled_at is not None:
            abort(410)
        form = sign_up_form()
        errors = {} if form.validate() else first_errors(form)
        details = form.details()
        if errors:
            return signup_page(
                "events/booking.html",
                signup.event,
                details,
                errors,
                signup=signup,
                token=token,
                position=services.waiting_position(db, signup),
                new=False,
            )
        details.apply(signup)
        db.commit()
        flash("Your details have been saved", "success")
        return redirect(url_for("events.booking", token=token), 303)
    return signup_page(
        "events/booking.html",
        signup.event,
        services.Details.of(signup),
        {},
        signup=signup,
        token=token,
        position=services.waiting_position(db, signup),
        new=request.args.get("new") == "1",
    )


@bp.route("/booking/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str) -> ResponseReturnValue:
    signup = signup_or_404(token)
    if signup.event.cancelled_at is not None:  # the whole event is off: nothing to give up
        return redirect(url_for("events.booking", token=token), 303)
    if request.method == "GET" or signup.status == SignupStatus.CANCELLED:
        return render_template("events/cancel.html", signup=signup, token=token)
    db = get_session()
    promoted = services.cancel(db, signup, now=now())
    emails.cancelled(db, signup)
    for person in promoted:
        emails.promoted(db, person)
    db.commit()
    nudge()
    return redirect(url_for("events.cancel", token=token), 303)


@bp.get("/booking/<token>/calendar.ics")
def booking_calendar(token: str) -> ResponseReturnValue:
    signup = signup_or_404(token)
    return _calendar_response(signup.event, url_for("events.booking", token=token, _external=True))


@bp.get("/<int:event_id>/calendar.ics")
def calendar(event_id: int) -> ResponseReturnValue:
    item = event_or_404(event_id)
    return _calendar_response(item, url_for("events.event", event_id=item.id, _external=True))


def _calendar_response(event: Event, url: str) -> Response:
    data = ics.calendar(
        event,
        domain=ics.uid_domain(),
        url=url,
        partnership=current_app.config["PARTNERSHIP_NAME"],
        organizer=current_app.config["MAIL_FROM"],
    )
    return Response(
        data,
        content_type=ics.content_type(event),
        headers={"Content-Disposition": f'attachment; filename="{ics.filename(event)}"'},
    )


@bp.get("/feedback/<token>")
def feedback(token: str) -> ResponseReturnValue:
    db = get_session()
    signup = services.signup_by_feedback_token(db, token)
    outcome = "unknown" if signup is None else attendance.open_feedback(db, signup, now=now())
    if isinstance(outcome, str):
        return render_template(
            "events/feedback_refused.html", heading=FEEDBACK_REFUSED[outcome], why=outcome
        ), 410 if outcome != "unknown" else 404
    db.commit()
    survey = db.get_one(Consultation, outcome.consultation_id)
    return redirect(resume_point(survey, outcome, embedded=False), 303)


# Partner nominations --------------------------------------------------------------------------


@bp.get("/nominations")
@role_required(Role.JOG)
def nominations() -> ResponseReturnValue:
    """The partner events a JOG member can nominate staff to now, with their organisation's
    places used and left at each."""
    organisation = current_user.organisation
    rows = []
    for item in partner_places.open_for_nomination(get_session(), now=now()):
        used = (
            sum(
                1
                for s in item.signups
                if s.organisation_id == organisation.id and s.status != SignupStatus.CANCELLED
            )
            if organisation
            else 0
        )
        places = partner_places.allocation(item, organisation.id) if organisation else None
        left = None if places is None else max(0, places - used)
        rows.append({"event": item, "places": places, "used": used, "left": left})
    return render_template("events/nominations.html", rows=rows, organisation=organisation)


@bp.route("/<int:event_id>/nominate", methods=["GET", "POST"])
@role_required(Role.JOG)
def nominate(event_id: int) -> ResponseReturnValue:
    """JOG members nominate staff of their own organisation, within its allocation."""
    item = event_or_404(event_id)
    organisation = current_user.organisation
    if item.audience != Audience.PARTNERS or organisation is None:
        abort(404)
    db = get_session()
    mine = [s for s in item.signups if s.organisation_id == organisation.id]
    context = {
        "organisation": organisation,
        "allocation": partner_places.allocation(item, organisation.id),
        "used": sum(1 for s in mine if s.status != SignupStatus.CANCELLED),
        "mine": mine,
        "state": services.signup_state(item, now()),
    }
    if request.method == "GET" or context["state"] != "open":
        return signup_page("events/nominate.html", item, services.Details(), {}, **context)
    form = sign_up_form()
    errors = {} if form.validate() else first_errors(form)
    errors.pop("organisation_name", None)  # a nomination's organisation is the partner's own
    details = form.details()
    if not errors:
        try:
            signup = partner_places.nominate(
                db,
                item,
                details,
                organisation_id=organisation.id,
                organisation_name=organisation.name,
                nominated_by_id=current_user.id,
                now=now(),
            )
        except services.EventError as exc:
            errors["name"] = str(exc)
    if errors:
        return signup_page("events/nominate.html", item, details, errors, **context)
    emails.confirmation(db, signup, services.waiting_position(db, signup))
    db.commit()
    nudge()
    where = "has a place" if signup.status == SignupStatus.CONFIRMED else "is on the waiting list"
    flash(f"{signup.name} {where}; we have emailed them", "success")
    return redirect(url_for("events.nominate", event_id=item.id), 303)
