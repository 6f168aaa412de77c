"""Request ids on every response and, with ``ENGAGE_LOG_FORMAT=json``, one JSON object per log
line carrying the request id (web) or the task id (worker), so a collector can follow one
resident's request or one task across processes and machines."""

from __future__ import annotations

import json
import logging
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, g, has_request_context, request

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")  # a proxy's id is kept only if it is plain


def request_id() -> str | None:
    if has_request_context():
        return g.get("request_id")
    return None


def task_id() -> str | None:
    try:
        from celery import current_task
    except ImportError:  # pragma: no cover - celery is a dependency
        return None
    if not current_task:  # a proxy: false outside a task
        return None
    return getattr(current_task.request, "id", None)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if rid := request_id():
            entry["request_id"] = rid
        if tid := task_id():
            entry["task_id"] = tid
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def init_app(app: Flask) -> None:
    @app.before_request
    def assign_request_id() -> None:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex

    @app.after_request
    def echo_request_id(response: Any) -> Any:
        if rid := request_id():
            response.headers["X-Request-ID"] = rid
        return response

    if app.config.get("LOG_FORMAT") == "json" and not app.testing:
        configure_json_logging()


def configure_json_logging(level: int = logging.INFO) -> None:
    """Every handler on the root logger writes JSON (gunicorn's and Celery's logs included)."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    for handler in root.handlers:
        handler.setFormatter(JsonFormatter())
    root.setLevel(level)
