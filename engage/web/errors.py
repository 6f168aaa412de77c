"""Error pages in plain English, with the same layout and headers as every other page."""

from __future__ import annotations

import logging

from flask import Flask, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

PAGES = {400, 403, 404, 500}
RETRY_AFTER_SECONDS = 30
log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(RequestEntityTooLarge, handle_too_large)
    app.register_error_handler(HTTPException, handle_http)
    for error in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(error, handle_database_unavailable)
    app.register_error_handler(DBAPIError, handle_lost_connection)


def handle_database_unavailable(error: Exception) -> ResponseReturnValue:
    """The database restarting, unreachable or saturated: a polite 503, never a traceback.

    The request's transaction is lost whole (the session is closed at teardown, the pool's
    pre-ping replaces dead connections on the next request), so nothing is stored by halves,
    and the app recovers by itself once the database is back.
    """
    log.warning("database unavailable: %s", type(error).__name__)
    g.database_unavailable = True  # the layout must not load the signed-in user
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    return render_template("errors/503.html"), 503, headers


def handle_lost_connection(error: DBAPIError) -> ResponseReturnValue:
    """Any other database error: a 503 when it was the connection that broke, else a 500."""
    if error.connection_invalidated:
        return handle_database_unavailable(error)
    raise error


def handle_csrf(error: CSRFError) -> ResponseReturnValue:
    return render_template("errors/400.html", reason="csrf"), 400


def handle_too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    """A body over the route's limit: the framework's page says "Request Entity Too Large"."""
    limit = request.max_content_length or 0
    return render_template("errors/413.html", limit_mb=max(1, limit // 1024**2)), 413


def handle_http(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    if code not in PAGES:
        return error
    if isinstance(error, InternalServerError):
        code = 500
    return render_template(f"errors/{code}.html"), code
