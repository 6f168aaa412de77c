"""Forms that take a file: a larger body limit than the app's 2 MB on their routes only, and
their own page when a file is too big.

The limit is set in a URL value preprocessor because that runs before the CSRF check reads the
form; the error handler then explains a too-large file on the form's own page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from engage.accounts.models import Role
from engage.web.consultations import bp

_LIMITS: dict[str, int] = {}
_TOO_LARGE: dict[str, Callable[[int], ResponseReturnValue]] = {}


def accepts_files(
    endpoint: str, limit: int, too_large: Callable[[int], ResponseReturnValue]
) -> None:
    """Let ``endpoint`` take a body up to ``limit`` bytes; ``too_large(consultation_id)`` is the
    page shown beyond it."""
    _LIMITS[endpoint] = limit
    _TOO_LARGE[endpoint] = too_large


@bp.url_value_preprocessor
def _raise_limit(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    if endpoint in _LIMITS:
        request.max_content_length = _LIMITS[endpoint]


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    page = _TOO_LARGE.get(request.endpoint or "")
    if page is None or request.view_args is None:
        return error
    if not (current_user.is_authenticated and current_user.has_role(Role.OFFICER)):
        return error
    return page(request.view_args["consultation_id"])
