"""The application: ``create_app`` builds Engage's Flask app, for the web server, the worker and
the command line alike (gunicorn runs ``engage.app:create_app()``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from engage import crypto, db, logs
from engage.celery import celery_init_app
from engage.config import DefaultConfig, environment_settings, finish
from engage.web import blueprints, errors, formguard, security
from engage.web.auth import guard

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the web application: defaults, then ``ENGAGE_*`` variables (or ``test_config``)."""
    overrides = dict(test_config) if test_config is not None else environment_settings(os.environ)
    instance_path = Path(overrides.get("INSTANCE_PATH") or Path.cwd() / "instance").resolve()
    app = Flask(__name__, instance_path=str(instance_path), instance_relative_config=True)
    app.config.from_object(DefaultConfig)
    app.config.update(overrides)
    finish(app.config, instance_path)
    instance_path.mkdir(parents=True, exist_ok=True)
    for folder in ("broker", "broker-control"):
        (instance_path / folder).mkdir(exist_ok=True)

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(TEMPLATES),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    WTFormsHelpers(app)  # wtforms_errors() for GOV.UK error summaries
    db.init_app(app)
    crypto.init_app(app)
    security.init_app(app)
    formguard.init_app(app)
    guard.init_app(app)
    celery_init_app(app)
    blueprints.init_app(app)
    logs.init_app(app)
    errors.init_app(app)
    if app.config["PROXY_HOPS"]:
        hops = app.config["PROXY_HOPS"]  # trust exactly this many proxies' headers, no more
        # Flask's documented way to wrap its WSGI callable, which mypy sees as a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    return app
