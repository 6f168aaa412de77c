"""Celery bound to the Flask app (the Flask docs' "Background Tasks with Celery" pattern)."""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask

from engage import broker


def celery_init_app(app: Flask) -> Celery:
    broker.use()  # filesystem:// writes each message whole (engage.broker)

    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
