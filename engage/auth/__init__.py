"""Signing in and out, and the role checks every staff page uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Flask, abort
from flask_login import LoginManager, current_user

from engage.accounts.models import User
from engage.db import get_session

bp = Blueprint("auth", __name__)
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

        return wrapped  # type: ignore[return-value]

    return decorator


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    app.register_blueprint(bp)


from engage.auth import views  # noqa: E402,F401 - registers the routes on bp
