"""Residents' pages: joining, confirming by email, signing in by emailed link, their own page,
answering an exercise from their unique link, unsubscribing, and the newsletter archive.

Every page works without JavaScript. A member's sign-in lives in the session cookie as
``id:session_version``; leaving raises the version, which signs them out everywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue

from engage import newsletters, ratelimit
from engage.audit.services import record
from engage.db import get_session
from engage.mail import nudge_sender
from engage.panel import emails, exercises, profile
from engage.panel import services as members
from engage.panel.models import MemberStatus, PanelMember
from engage.web import formguard
from engage.web.forms import first_errors
from engage.web.panel import bp, forms
from engage.web.participate.pages import resume_point
from engage.web.security import csrf
from surveys.models import Consultation

SESSION_KEY = "panel_member"
REFUSED = {
    "unknown": "This link is not right",
    "answered": "You have already answered this survey",
    "ended": "Your panel membership has ended",
    "closed": "This survey is closed",
}


# Joining and asking for a sign-in link send email, so they are limited per address (whoever
# owns it, member or not: the reply is the same either way) and per IP address.
JOIN_LIMITS = (
    ratelimit.Limit("panel.join.address", 3, timedelta(days=1)),
    ratelimit.Limit("panel.join.ip", 20, timedelta(hours=1)),
)
SIGN_IN_LIMITS = (
    ratelimit.Limit("panel.sign_in.address", 5, timedelta(hours=1)),
    ratelimit.Limit("panel.sign_in.ip", 30, timedelta(hours=1)),
)
TOO_MANY = ratelimit.too_many("requests")


def now() -> datetime:
    return datetime.now(UTC)


def within_limits(limits: tuple[ratelimit.Limit, ...], address: str) -> bool:
    """Count this request; False when the address or the IP has used up its limit."""
    return ratelimit.within(get_session(), limits, address=address or "", now=now())


def block() -> list[Any]:
    return profile.questions(current_app.config["LOCALITIES"])


def consent() -> list[str]:
    config = current_app.config
    return profile.consent_points(config["PANEL_TERM_YEARS"], config["PANEL_RETENTION_DAYS"])


def signed_in_member() -> PanelMember | None:
    value = session.get(SESSION_KEY, "")
    member_id, _, version = str(value).partition(":")
    if not (member_id.isdigit() and version.isdigit()):
        return None
    member = get_session().get(PanelMember, int(member_id))
    if member is None or member.session_version != int(version):
        return None
    if member.status != MemberStatus.ACTIVE:
        return None
    return member


def sign_member_in(member: PanelMember) -> None:
    session[SESSION_KEY] = f"{member.id}:{member.session_version}"


def member_required() -> PanelMember:
    member = signed_in_member()
    if member is None:
        abort(redirect(url_for("panel.sign_in", expired=1)))
    return member


def nudge() -> None:
    nudge_sender(get_session())  # an outbox row: the dispatcher talks to Redis, never the request
    get_session().commit()


def form_page(template: str, status: int = 200, **context: Any) -> ResponseReturnValue:
    return render_template(template, questions=block(), consent=consent(), **context), status


@bp.get("/")
def index() -> ResponseReturnValue:
    return render_template(
        "panel/index.html",
        consent=consent(),
        member=signed_in_member(),
        latest=newsletters.archive(get_session())[:3],
    )


@bp.route("/join", methods=["GET", "POST"])
def join() -> ResponseReturnValue:
    wave = request.values.get("wave", "")[:100]
    if request.method == "GET":
        return form_page(
            "panel/join.html", details=members.Details(), answers={}, errors={}, wave=wave
        )
    form = forms.JoinForm()
    errors = form.check(block())
    details, answers = form.details(), form.answers
    started = formguard.kept(request.form)
    if not errors and formguard.too_soon(request.form):
        return form_page(
            "panel/join.html",
            400,
            details=details,
            answers=answers,
            errors={},
            wave=wave,
            started=started,
            notice=formguard.AGAIN,
        )
    if not errors and not within_limits(JOIN_LIMITS, details.email):
        errors["email"] = TOO_MANY
        return form_page(
            "panel/join.html",
            429,
            details=details,
            answers=answers,
            errors=errors,
            wave=wave,
            started=started,
        )
    if errors:
        return form_page(
            "panel/join.html",
            400,
            details=details,
            answers=answers,
            errors=errors,
            wave=wave,
            started=started,
        )
    db = get_session()
    existing = members.by_email(db, details.email)
    if existing is not None and existing.status in (MemberStatus.ACTIVE, MemberStatus.PENDING):
        # Say the same as for a new address, so the form never reveals who is a member.
        emails.already_member(db, existing, members.issue_sign_in(existing, now=now()))
    else:
        member, secret = members.sign_up(db, details, answers, now=now(), wave=wave)
        emails.confirm(db, member, secret)
    db.commit()
    nudge()
    return redirect(url_for("panel.check_email", why="join"), 303)


@bp.get("/check-your-email")
def check_email() -> ResponseReturnValue:
    return render_template("panel/check_email.html", why=request.args.get("why", "join"))


@bp.route("/confirm/<secret>", methods=["GET", "POST"])
def confirm(secret: str) -> ResponseReturnValue:
    """The link in the confirmation email. GET asks for a click, so a mail scanner that follows
    links cannot confirm (or spend) it."""
    if request.method == "GET":
        return render_template("panel/confirm.html", secret=secret)
    db = get_session()
    member = members.confirm(
        db, secret, now=now(), term_years=current_app.config["PANEL_TERM_YEARS"]
    )
    if member is None or member.status != MemberStatus.ACTIVE:
        db.rollback()
        return render_template("panel/link_used.html"), 404
    db.commit()
    sign_member_in(member)
    return render_template("panel/confirmed.html", member=member)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> ResponseReturnValue:
    if request.method == "GET":
        expired = request.args.get("expired") == "1"
        return render_template("panel/sign_in.html", email="", error=None, expired=expired)
    form = forms.SignInForm()
    email = form.email.data or ""
    if not form.validate():
        error = next(iter(first_errors(form).values()))
        return render_template("panel/sign_in.html", email=email, error=error), 400
    if not within_limits(SIGN_IN_LIMITS, email):
        return render_template("panel/sign_in.html", email=email, error=TOO_MANY), 429
    db = get_session()
    member = members.by_email(db, email)
    if member is not None and member.status in (MemberStatus.ACTIVE, MemberStatus.PENDING):
        emails.sign_in(db, member, members.issue_sign_in(member, now=now()))
    db.commit()  # the request is counted whether or not the address is a member's
    nudge()
    return redirect(url_for("panel.check_email", why="sign-in"), 303)


@bp.route("/sign-in/<secret>", methods=["GET", "POST"])
def sign_in_link(secret: str) -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("panel/sign_in_link.html", secret=secret)
    db = get_session()
    member = members.use_sign_in(db, secret, now=now())
    db.commit()
    if member is None:
        return render_template("panel/link_used.html"), 404
    sign_member_in(member)
    return redirect(url_for("panel.me"), 303)


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    session.pop(SESSION_KEY, None)
    flash("You have signed out of your panel page", "success")
    return redirect(url_for("panel.index"), 303)


@bp.get("/me")
def me() -> ResponseReturnValue:
    member = member_required()
    return render_template(
        "panel/me.html",
        member=member,
        questions=block(),
        history=exercises.history(get_session(), member),
        label=profile.label,
    )


@bp.route("/me/details", methods=["GET", "POST"])
def details() -> ResponseReturnValue:
    member = member_required()
    if request.method == "GET":
        return form_page(
            "panel/details.html",
            details=members.Details.of(member),
            answers=dict(member.profile),
            errors={},
        )
    form = forms.MemberForm()
    errors = form.check(block())
    changed, answers = form.details(), form.answers
    db = get_session()
    if not errors and members.normalise_email(changed.email) != member.email:
        others = [m for m in members.possible_duplicates(db, changed) if m.id != member.id]
        if any(m.email == members.normalise_email(changed.email) for m in others):
            errors["email"] = "Another panel member uses that email address. Enter your own."
    if errors:
        return form_page("panel/details.html", 400, details=changed, answers=answers, errors=errors)
    members.update_details(member, changed)
    member.profile = answers
    db.commit()
    flash("Your details have been saved", "success")
    return redirect(url_for("panel.me"), 303)


@bp.route("/me/leave", methods=["GET", "POST"])
def leave() -> ResponseReturnValue:
    member = member_required()
    if request.method == "GET":
        return render_template("panel/leave.html", consent=consent())
    members.leave(member, now=now())
    get_session().commit()
    session.pop(SESSION_KEY, None)
    return render_template(
        "panel/left.html", retention_days=current_app.config["PANEL_RETENTION_DAYS"]
    )


@bp.get("/exercises/<int:exercise_id>/answer/<token>")
def answer(exercise_id: int, token: str) -> ResponseReturnValue:
    """A member's own link: opens (or resumes) their answers to this exercise's survey."""
    db = get_session()
    outcome = exercises.open_invitation(db, exercise_id, token, now=now())
    if isinstance(outcome, str):
        status = {"unknown": 404}.get(outcome, 410)
        return render_template(
            "panel/answer_refused.html", reason=outcome, title=REFUSED[outcome]
        ), status
    db.commit()
    survey = db.get_one(Consultation, outcome.consultation_id)
    return redirect(resume_point(survey, outcome, embedded=False), 303)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the proof; mail programs send one-click POSTs without cookies
def unsubscribe(token: str) -> ResponseReturnValue:
    found = emails.read_unsubscribe_token(token)
    member = get_session().get(PanelMember, found[0]) if found else None
    if found is None or member is None:
        return render_template("panel/link_used.html"), 404
    kind = found[1]
    what = emails.UNSUBSCRIBE_KINDS[kind]
    if request.method == "GET":
        return render_template("panel/unsubscribe.html", token=token, what=what, done=False)
    if kind == "newsletters":
        member.newsletters = False
    else:
        member.unsubscribed_at = member.unsubscribed_at or now()
    get_session().commit()
    return render_template("panel/unsubscribe.html", token=token, what=what, done=True)


@bp.get("/newsletters")
def newsletter_archive() -> ResponseReturnValue:
    return render_template("panel/newsletters.html", items=newsletters.archive(get_session()))


@bp.get("/newsletters/<int:newsletter_id>")
def newsletter(newsletter_id: int) -> ResponseReturnValue:
    item = newsletters.published(get_session(), newsletter_id)
    if item is None:
        abort(404)
    return render_template(
        "panel/newsletter.html", item=item, links=newsletters.result_links(get_session(), item)
    )


@bp.route("/renew/<token>", methods=["GET", "POST"])
def renew(token: str) -> ResponseReturnValue:
    """The link in a renewal email. GET asks for a click, so a mail scanner cannot renew."""
    db = get_session()
    member = emails.read_renew_token(token, lambda member_id: db.get(PanelMember, member_id))
    if member is None or member.status != MemberStatus.ACTIVE:
        return render_template("panel/link_used.html"), 404
    if request.method == "GET":
        return render_template("panel/renew.html", member=member, token=token, done=False)
    until = members.renew(member, now=now(), term_years=current_app.config["PANEL_TERM_YEARS"])
    record(
        db,
        action="panel.member.renewed",
        target_type="panel_member",
        target_id=member.id,
        detail={"by": "member", "until": until.date().isoformat()},
    )
    db.commit()
    return render_template("panel/renew.html", member=member, token=token, done=True)
