"""Bot checks on public forms, instead of a CAPTCHA: a honeypot field and a minimum time.

Every public form (survey steps, panel and event sign-up) carries a field people never meet,
hidden from sight and from screen readers and skipped by the keyboard, which simple bots fill
in; and a signed note of when the form was shown. A form that comes back with the field filled
in, or sooner than ``FORM_MIN_SECONDS`` after it was shown, is shown again with everything
entered and a polite request to check it and send it again: nothing is dropped silently, and
nothing depends on the person's address or a cookie (library computers, partners' iframes).
Officers keying in paper responses never meet these checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app
from itsdangerous import BadSignature, URLSafeSerializer

HONEYPOT = "website"  # a name simple bots like to fill in
STARTED = "form_started"
AGAIN = "Please check your answers and send them again."


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="form-started")


def issue(now: datetime | None = None) -> str:
    """A signed note of when a form was shown, for its hidden ``form_started`` field."""
    moment = now or datetime.now(UTC)
    return str(_serializer().dumps(int(moment.timestamp())))


def started_at(value: str | None) -> datetime | None:
    """When the form carrying ``value`` was shown, or None if the note is missing or forged."""
    if not value:
        return None
    try:
        seconds = _serializer().loads(value)
    except BadSignature:
        return None
    if not isinstance(seconds, int):
        return None
    return datetime.fromtimestamp(seconds, UTC)


def kept(form: Mapping[str, Any]) -> str | None:
    """The form's own note, when genuine, so a form shown again keeps counting from the start."""
    value = form.get(STARTED)
    return value if started_at(value) is not None else None


def honeypot_filled(form: Mapping[str, Any]) -> bool:
    return bool(str(form.get(HONEYPOT) or "").strip())


def too_soon(
    form: Mapping[str, Any], *, started: datetime | None = None, now: datetime | None = None
) -> bool:
    """True when the form should be shown again: the honeypot is filled in, or it came back
    sooner than a person could have filled it in. ``started`` overrides the form's own note
    (a survey counts from its first page)."""
    if honeypot_filled(form):
        return True
    minimum = current_app.config["FORM_MIN_SECONDS"]
    if minimum <= 0:
        return False  # the time check is off; the honeypot stays
    begun = started or started_at(form.get(STARTED))
    if begun is None:
        return True
    elapsed = ((now or datetime.now(UTC)) - begun).total_seconds()
    return elapsed < minimum


def init_app(app: Flask) -> None:
    app.jinja_env.globals["form_started"] = issue
