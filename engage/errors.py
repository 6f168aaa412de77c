"""Error pages in plain English, with the same layout and headers as every other page."""

from __future__ import annotations

from flask import Flask, render_template
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

PAGES = {400, 403, 404, 500}


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)


def handle_csrf(error: CSRFError) -> ResponseReturnValue:
    return render_template("errors/400.html", reason="csrf"), 400


def handle_http(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    if code not in PAGES:
        return error
    if isinstance(error, InternalServerError):
        code = 500
    return render_template(f"errors/{code}.html"), code
