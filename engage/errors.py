"""Error pages in plain English, with the same layout and headers as every other page."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

PAGES = {400, 403, 404, 500}


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(RequestEntityTooLarge, handle_too_large)
    app.register_error_handler(HTTPException, handle_http)


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
