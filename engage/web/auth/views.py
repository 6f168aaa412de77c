from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, logout_user

from engage.accounts import mfa, throttle
from engage.accounts.models import Role, User
from engage.accounts.services import AccountError, authenticate, change_password
from engage.audit import services as audit
from engage.db import get_session
from engage.web.auth import bp
from engage.web.auth.forms import CodeForm, LoginForm, PasswordChangeForm
from engage.web.auth.guard import start_session

WRONG = "Enter a correct email address and password"
PENDING = "mfa_pending"  # id:session_version of someone who has given their password
PENDING_SECONDS = 600


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host, scheme or a protocol-relative URL."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    return target


def home_for(role: str) -> str:
    if role in (Role.OFFICER, Role.ADMIN):
        return url_for("consultations.index")
    if role == Role.JOG:
        return url_for("findings.index")
    return url_for("public.index")


def locked_message(until) -> str:
    minutes = max(1, round((until.timestamp() - time.time()) / 60))
    return (
        "Too many tries with this email address. Wait "
        f"{minutes} minute{'s' if minutes != 1 else ''} and try again, or ask your administrator"
    )


def loggable(email: str) -> str:
    """The address tried, unless it looks like something else (a password typed in the wrong
    box must not end up in the log)."""
    email = email.strip()[:254]
    return email if "@" in email and " " not in email else "(not an email address)"


def finish_sign_in(user: User, target: str | None) -> ResponseReturnValue:
    db = get_session()
    throttle.succeeded(db, user.email)
    audit.record(db, action="auth.login", actor=user, target_type="user", target_id=user.id)
    db.commit()
    start_session(user)
    return redirect(safe_next(target) or home_for(user.role))


@bp.route("/sign-in", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        db = get_session()
        email = form.email.data or ""
        until = throttle.locked_until(db, email)
        if until is not None:
            error = locked_message(until)
            return render_template("auth/login.html", form=form, error=error), 429
        user = authenticate(db, email, form.password.data or "")
        if user is None:
            throttle.failed(db, email)
            audit.record(db, action="auth.login_failed", detail={"email": loggable(email)})
            db.commit()
            error = WRONG
        elif user.needs_mfa:
            db.commit()  # a rehashed password is saved
            target = request.args.get("next")
            session.clear()  # nothing from before the password survives (fixation)
            session[PENDING] = f"{user.id}:{user.session_version}:{int(time.time())}"
            if target and safe_next(target):
                session["mfa_next"] = target
            return redirect(url_for("auth.code" if user.totp_secret else "auth.set_up_codes"))
        else:
            return finish_sign_in(user, request.args.get("next"))
    status = 200 if request.method == "GET" else 400
    return render_template("auth/login.html", form=form, error=error), status


def pending_user() -> User | None:
    user_id, _, rest = str(session.get(PENDING, "")).partition(":")
    version, _, started = rest.partition(":")
    if not (user_id.isdigit() and version.isdigit() and started.isdigit()):
        return None
    if time.time() - int(started) > PENDING_SECONDS:
        return None
    user = get_session().get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


@bp.route("/sign-in/code", methods=["GET", "POST"])
def code() -> ResponseReturnValue:
    user = pending_user()
    if user is None or not user.totp_secret:
        flash("Sign in again", "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        db = get_session()
        until = throttle.locked_until(db, user.email)
        if until is not None:
            error = locked_message(until)
        elif mfa.verify(user, form.code.data or ""):
            return finish_sign_in(user, session.get("mfa_next"))
        else:
            throttle.failed(db, user.email)
            audit.record(db, action="auth.code_failed", actor=user)
            db.commit()
            error = "Enter the 6-digit code from your authenticator app, or a recovery code"
    status = 200 if request.method == "GET" else 400
    return render_template("auth/code.html", form=form, error=error), status


@bp.route("/sign-in/set-up-codes", methods=["GET", "POST"])
def set_up_codes() -> ResponseReturnValue:
    """Officers and administrators add an authenticator app before their first sign-in."""
    user = pending_user()
    if user is None or user.totp_secret:
        return redirect(url_for("auth.login"))
    secret = session.get("mfa_secret") or mfa.new_secret()
    session["mfa_secret"] = secret
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        codes = mfa.enrol(user, secret, form.code.data or "")
        if codes is not None:
            db = get_session()
            audit.record(
                db, action="auth.mfa_enrolled", actor=user, target_id=user.id, target_type="user"
            )
            target = session.get("mfa_next")
            db.commit()
            start_session(user)
            return render_template(
                "auth/recovery_codes.html",
                codes=codes,
                next_url=safe_next(target) or home_for(user.role),
            )
        error = "Enter the 6-digit code your authenticator app shows for Engage"
    status = 200 if request.method == "GET" else 400
    return (
        render_template(
            "auth/set_up_codes.html",
            form=form,
            error=error,
            secret=secret,
            uri=mfa.provisioning_uri(secret, user.email),
        ),
        status,
    )


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> ResponseReturnValue:
    form = PasswordChangeForm()
    error = None
    if form.validate_on_submit():
        db = get_session()
        user = current_user._get_current_object()
        try:
            change_password(db, user, form.current.data or "", form.new.data or "")
        except AccountError as exc:
            error = str(exc)
        else:
            audit.record(
                db,
                action="auth.password_changed",
                actor=user,
                target_type="user",
                target_id=user.id,
            )
            db.commit()
            start_session(user)  # this browser stays in; every other copy of the cookie is dead
            flash("Your password has been changed. Other devices have been signed out.", "success")
            return redirect(home_for(user.role))
    status = 200 if request.method == "GET" else 400
    return render_template("auth/password.html", form=form, error=error), status


@bp.post("/sign-out")
@login_required
def logout() -> ResponseReturnValue:
    # Raising the version makes every copy of the login cookie worthless, not just this one.
    db = get_session()
    user = current_user._get_current_object()
    user.session_version += 1
    audit.record(db, action="auth.logout", actor=user, target_type="user", target_id=user.id)
    db.commit()
    logout_user()
    session.clear()
    flash("You have signed out", "success")
    return redirect(url_for("public.index"))
