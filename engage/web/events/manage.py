"""Officers' event pages: create and edit events, cancel one, see sign-ups and the waiting list,
set partner allocations, keep the register on the day, send the feedback survey, publish
outcomes, and read or download the reports (names for the organiser only; downloads are
audited)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from engage.accounts.models import Role
from engage.audit.services import record
from engage.db import get_session
from engage.events import attendance, emails, nominations, reports, services
from engage.events.models import AUDIENCE_LABELS, KIND_LABELS, Audience, Event
from engage.mail import nudge_sender
from engage.web.auth.guard import role_required
from engage.web.events import forms
from engage.web.events import manage_bp as bp
from engage.web.forms import first_errors, typed
from surveys.models import Consultation, ConsultationStatus, Organisation

LINKABLE = (
    ConsultationStatus.SCHEDULED,
    ConsultationStatus.OPEN,
    ConsultationStatus.CLOSED,
    ConsultationStatus.PUBLISHED,
)
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def now() -> datetime:
    return datetime.now(UTC)


def nudge() -> None:
    nudge_sender(get_session())  # an outbox row: the dispatcher talks to Redis, never the request
    get_session().commit()


@bp.before_request
@role_required(Role.OFFICER)
def officers_only() -> None:
    """Every page here is for engagement officers (and administrators)."""


def event_or_404(event_id: int) -> Event:
    event = get_session().get(Event, event_id)
    if event is None:
        abort(404)
    return event


def organiser_or_403(event: Event) -> None:
    if not reports.is_organiser(current_user, event):
        abort(403)


def consultations() -> list[Consultation]:
    return list(
        get_session().scalars(
            select(Consultation)
            .where(Consultation.status.in_(LINKABLE))
            .order_by(Consultation.title)
        )
    )


def event_form() -> forms.EventForm:
    form = forms.EventForm()
    form.offer(current_app.config["LOCALITIES"], [c.id for c in consultations()])
    return form


def form_page(template: str, values: dict, errors: dict, **extra) -> ResponseReturnValue:
    return render_template(
        template,
        values=values,
        errors=errors,
        kinds=KIND_LABELS,
        audiences=AUDIENCE_LABELS,
        localities=current_app.config["LOCALITIES"],
        consultations=consultations(),
        **extra,
    ), 400 if errors else 200


@bp.get("/")
def index() -> ResponseReturnValue:
    events = get_session().scalars(select(Event).order_by(Event.starts_at.desc())).all()
    current = now()
    return render_template(
        "events/manage/index.html",
        upcoming=sorted((e for e in events if e.ends_at > current), key=lambda e: e.starts_at),
        past=[e for e in events if e.ends_at <= current],
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    if request.method == "GET":
        blank = {"audience": Audience.PUBLIC, "reminder_hours": "48"}
        return form_page("events/manage/form.html", blank, {}, event=None)
    form = event_form()
    if not form.validate():
        return form_page("events/manage/form.html", typed(form), first_errors(form), event=None)
    db = get_session()
    item = services.create_event(
        db, form.cleaned(), organisation_id=current_user.organisation_id, officer_id=current_user.id
    )
    db.commit()
    flash(f"Event created: {item.title}", "success")
    return redirect(url_for("events_manage.event", event_id=item.id), 303)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
def edit(event_id: int) -> ResponseReturnValue:
    item = event_or_404(event_id)
    organiser_or_403(item)
    if request.method == "GET":
        return form_page("events/manage/form.html", forms.values_of(item), {}, event=item)
    form = event_form()
    if not form.validate():
        return form_page("events/manage/form.html", typed(form), first_errors(form), event=item)
    db = get_session()
    promoted = services.update_event(db, item, form.cleaned(), now=now())
    for person in promoted:
        emails.promoted(db, person)
    db.commit()
    if promoted:
        nudge()
    flash(
        "Event saved" + (f"; {len(promoted)} moved up from the waiting list" if promoted else ""),
        "success",
    )
    return redirect(url_for("events_manage.event", event_id=item.id), 303)


@bp.get("/<int:event_id>")
def event(event_id: int) -> ResponseReturnValue:
    return event_page(event_or_404(event_id))


def partners() -> list[Organisation]:
    return list(get_session().scalars(select(Organisation).order_by(Organisation.name)))


def event_page(
    item: Event, *, typed: dict[int, str] | None = None, errors: dict[str, str] | None = None
) -> ResponseReturnValue:
    """The event's page; after refused allocations, with the places as typed and the errors."""
    allocations = {a.organisation_id: a.places for a in item.allocations}
    return render_template(
        "events/manage/event.html",
        event=item,
        summary=reports.summary(item),
        organiser=reports.is_organiser(current_user, item),
        partners=partners(),
        allocations=typed if typed is not None else allocations,
        errors=errors or {},
        feedback_answered=attendance.feedback_answered(get_session(), item),
        public_link=url_for("events.event", event_id=item.id, _external=True),
        state=services.signup_state(item, now()),
        past=item.ends_at <= now(),
    ), (400 if errors else 200)


@bp.get("/<int:event_id>/sign-ups")
def signups(event_id: int) -> ResponseReturnValue:
    item = event_or_404(event_id)
    organiser_or_403(item)
    return render_template("events/manage/signups.html", event=item)


@bp.post("/<int:event_id>/sign-ups/<int:signup_id>/cancel")
def cancel_signup(event_id: int, signup_id: int) -> ResponseReturnValue:
    item = event_or_404(event_id)
    organiser_or_403(item)
    signup = next((s for s in item.signups if s.id == signup_id), None)
    if signup is None:
        abort(404)
    db = get_session()
    promoted = services.cancel(db, signup, now=now())
    for person in promoted:
        emails.promoted(db, person)
    db.commit()
    nudge()
    flash(
        f"Cancelled {signup.name}'s place"
        + (f"; {promoted[0].name} moved up from the waiting list" if promoted else ""),
        "success",
    )
    return redirect(url_for("events_manage.signups", event_id=item.id), 303)


@bp.route("/<int:event_id>/cancel", methods=["GET", "POST"])
def cancel_event(event_id: int) -> ResponseReturnValue:
    """Cancel the whole event: the reason, then a check of who will be emailed, then done."""
    item = event_or_404(event_id)
    organiser_or_403(item)
    if item.cancelled_at is not None:
        flash("This event is already cancelled", "success")
        return redirect(url_for("events_manage.event", event_id=item.id), 303)
    if item.ends_at <= now():
        flash("This event has already taken place, so it cannot be cancelled", "error")
        return redirect(url_for("events_manage.event", event_id=item.id), 303)
    form = forms.CancelForm()
    reason = form.reason.data or ""
    people = services.to_tell(item)
    page = {"event": item, "reason": reason, "people": people, "error": ""}
    if request.method == "GET" or form.action.data == "change":
        return render_template("events/manage/cancel.html", **page)
    if not form.validate():
        page["error"] = next(iter(first_errors(form).values()))
        return render_template("events/manage/cancel.html", **page), 400
    if form.action.data != "confirm":
        nominators = len(emails.nominators(get_session(), people))  # the check step counts them
        return render_template("events/manage/cancel_check.html", nominators=nominators, **page)
    db = get_session()
    told = services.cancel_event(db, item, reason, now=now())
    if told is None:  # cancelled by someone else meanwhile: they have told everyone
        db.rollback()
        flash("This event is already cancelled", "success")
        return redirect(url_for("events_manage.event", event_id=item.id), 303)
    for person in told:
        emails.event_cancelled(db, person)
    nominators = emails.nominators_told(db, told)
    record(
        db,
        action="event.cancelled",
        actor=current_user,
        target_type="event",
        target_id=item.id,
        detail={"emailed": len(told), "nominators_emailed": nominators, "reason": reason},
    )
    db.commit()
    nudge()
    also = (
        f", and {nominators} JOG {'member' if nominators == 1 else 'members'} who nominated them"
        if nominators
        else ""
    )
    flash(
        f"Event cancelled. We are emailing {len(told)} {'person' if len(told) == 1 else 'people'}"
        f" to tell them{also}.",
        "success",
    )
    return redirect(url_for("events_manage.event", event_id=item.id), 303)


@bp.post("/<int:event_id>/allocations")
def allocations(event_id: int) -> ResponseReturnValue:
    item = event_or_404(event_id)
    organiser_or_403(item)
    form = forms.allocations_form(partners())
    if not form.validate():
        return event_page(item, typed=form.typed(), errors=first_errors(form))
    db = get_session()
    nominations.set_allocations(db, item, form.places())
    db.commit()
    flash("Allocations saved", "success")
    return redirect(url_for("events_manage.event", event_id=item.id), 303)


@bp.route("/<int:event_id>/register", methods=["GET", "POST"])
def register(event_id: int) -> ResponseReturnValue:
    """The attendance register on the day: tick people off, or check them in by their code."""
    item = event_or_404(event_id)
    organiser_or_403(item)
    db = get_session()
    error = ""
    code = ""
    form = forms.RegisterForm()
    if request.method == "POST" and form.validate():
        if form.by_code():
            code = form.code.data
            try:
                person = attendance.check_in_by_code(db, item, code, now=now())
            except attendance.AttendanceError as exc:
                error = str(exc)
            else:
                db.commit()
                flash(f"{person.name} is checked in", "success")
                return redirect(url_for("events_manage.register", event_id=item.id), 303)
        else:
            attendance.update_register(db, item, form.ticked(), now=now())
            db.commit()
            flash("Register saved", "success")
            return redirect(url_for("events_manage.register", event_id=item.id), 303)
    came = len(attendance.attendees(item))
    return render_template(
        "events/manage/register.html", event=item, error=error, code=code, came=came
    ), 400 if error else 200


@bp.post("/<int:event_id>/feedback")
def feedback(event_id: int) -> ResponseReturnValue:
    item = event_or_404(event_id)
    organiser_or_403(item)
    db = get_session()
    form = forms.FeedbackForm()
    if form.validate() and form.action.data == "create":
        attendance.create_feedback_survey(db, item, officer_id=current_user.id, now=now())
        db.commit()
        flash(
            "Feedback survey created. Change its questions in the builder, then send it.", "success"
        )
        return redirect(url_for("events_manage.event", event_id=item.id, _anchor="feedback"), 303)
    try:
        sent = attendance.send_feedback(db, item, now=now())
    except attendance.AttendanceError as exc:
        flash(str(exc), "error")
        return redirect(url_for("events_manage.event", event_id=item.id, _anchor="feedback"), 303)
    db.commit()
    nudge()
    flash(
        f"Feedback survey sent to {sent} {'person' if sent == 1 else 'people'} who attended",
        "success",
    )
    return redirect(url_for("events_manage.event", event_id=item.id, _anchor="feedback"), 303)


@bp.route("/<int:event_id>/outcomes", methods=["GET", "POST"])
def outcomes(event_id: int) -> ResponseReturnValue:
    item = event_or_404(event_id)
    organiser_or_403(item)
    if request.method == "GET":
        return render_template("events/manage/outcomes.html", event=item, text=item.outcomes)
    form = forms.OutcomesForm()
    if not form.validate():
        error = next(iter(first_errors(form).values()))
        return render_template(
            "events/manage/outcomes.html", event=item, text=form.outcomes.data, error=error
        ), 400
    attendance.publish_outcomes(item, form.outcomes.data, now=now())
    get_session().commit()
    flash(
        "Outcomes published on the event page" if item.outcomes else "Outcomes removed", "success"
    )
    return redirect(url_for("events_manage.event", event_id=item.id), 303)


@bp.get("/<int:event_id>/report")
def report(event_id: int) -> ResponseReturnValue:
    item = event_or_404(event_id)
    return render_template(
        "events/manage/report.html",
        event=item,
        summary=reports.summary(item),
        organiser=reports.is_organiser(current_user, item),
    )


@bp.get("/<int:event_id>/sign-ups.<any(csv, xlsx):fmt>")
def download_signups(event_id: int, fmt: str) -> ResponseReturnValue:
    item = event_or_404(event_id)
    organiser_or_403(item)
    db = get_session()
    data = reports.signups_file(item, fmt)
    record(
        db,
        action="export.event_signups",
        actor=current_user,
        target_type="event",
        target_id=item.id,
        detail={"format": fmt},
    )
    db.commit()
    return _file(data, fmt, f"event-{item.id}-sign-ups")


@bp.get("/<int:event_id>/summary.<any(csv, xlsx):fmt>")
def download_summary(event_id: int, fmt: str) -> ResponseReturnValue:
    item = event_or_404(event_id)
    db = get_session()
    data = reports.summary_file(item, fmt)
    record(
        db,
        action="export.event_summary",
        actor=current_user,
        target_type="event",
        target_id=item.id,
        detail={"format": fmt},
    )
    db.commit()
    return _file(data, fmt, f"event-{item.id}-summary")


def _file(data: bytes, fmt: str, name: str) -> Response:
    return Response(
        data,
        content_type=FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )
