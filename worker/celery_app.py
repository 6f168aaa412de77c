"""The worker's entry point: ``celery -A worker.celery_app worker``.

Only this module builds an app; task modules never do, so importing them stays cheap.
"""

import logging
from typing import Any

from engage.app import create_app
from engage.logs import JsonFormatter

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
celery_app.autodiscover_tasks(["worker"], related_name="tasks", force=True)
celery_app.autodiscover_tasks(["worker"], related_name="reports", force=True)


if flask_app.config.get("LOG_FORMAT") == "json":
    from celery.signals import after_setup_logger, after_setup_task_logger

    def _json_handlers(logger: logging.Logger, *_args: Any, **_kwargs: Any) -> None:
        for handler in logger.handlers:
            handler.setFormatter(JsonFormatter())

    after_setup_logger.connect(_json_handlers, weak=False)
    after_setup_task_logger.connect(_json_handlers, weak=False)
