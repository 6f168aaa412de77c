from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user

from engage.accounts.models import Role
from engage.accounts.services import authenticate
from engage.auth import bp
from engage.auth.forms import LoginForm
from engage.db import get_session


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host, scheme or a protocol-relative URL."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def home_for(role: str) -> str:
    if role in (Role.OFFICER, Role.ADMIN):
        return url_for("consultations.index")
    if role == Role.JOG:
        return url_for("findings.index")
    return url_for("public.index")


@bp.route("/sign-in", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        session = get_session()
        user = authenticate(session, form.email.data or "", form.password.data or "")
        if user is not None:
            session.commit()  # a rehashed password is saved
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or home_for(user.role))
        error = "Enter a correct email address and password"
    status = 200 if request.method == "GET" else 400
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/sign-out")
@login_required
def logout() -> ResponseReturnValue:
    # Raising the version makes every copy of the login cookie worthless, not just this one.
    session = get_session()
    user = current_user._get_current_object()
    user.session_version += 1
    session.commit()
    logout_user()
    flash("You have signed out", "success")
    return redirect(url_for("public.index"))
