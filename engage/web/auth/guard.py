"""The role checks every staff page uses, the sign-in manager and the staff session clocks."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, abort, current_app, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, current_user, login_user, logout_user

from engage.accounts.models import STAFF_ROLES, User
from engage.db import get_session

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to see that page"
login_manager.login_message_category = "info"

F = TypeVar("F", bound=Callable[..., Any])


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The cookie holds ``id:session_version``; an old version means the person signed out."""
    user_id, _, version = token.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = get_session().get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def role_required(*roles: str) -> Callable[[F], F]:
    """Anonymous people are sent to sign in; signed-in people without the role get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def start_session(user: User) -> None:
    """A fresh session for a person who has just proved who they are: nothing from before
    survives (no fixation), and the clocks for the idle and absolute timeouts start."""
    session.clear()
    login_user(user)
    now = int(time.time())
    session["signed_in_at"] = now
    session["seen_at"] = now


def enforce_timeouts() -> ResponseReturnValue | None:
    """Partner staff are signed out after STAFF_IDLE_MINUTES without a request and
    STAFF_SESSION_HOURS after signing in, whatever they do (ASVS 7.3.1, 7.3.2)."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    if current_user.role not in STAFF_ROLES:
        return None
    config = current_app.config
    now = int(time.time())
    signed_in = int(session.get("signed_in_at", 0))
    seen = int(session.get("seen_at", 0))
    idle = now - seen > config["STAFF_IDLE_MINUTES"] * 60
    too_old = now - signed_in > config["STAFF_SESSION_HOURS"] * 3600
    if idle or too_old:
        logout_user()
        session.clear()
        flash("You were signed out to keep the data safe. Sign in again to carry on.", "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if now - seen >= 60:  # rewrite the cookie at most once a minute
        session["seen_at"] = now
    return None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    app.before_request(enforce_timeouts)
