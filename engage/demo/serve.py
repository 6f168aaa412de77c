"""``engage demo``: the web server and a real Celery worker together, for ``make run``."""

from __future__ import annotations

import os
import signal
import subprocess  # starts our own worker and web processes  # nosec B404
import sys
import time
import urllib.request
from contextlib import suppress

import click
from flask import current_app

from engage import migrate
from engage.demo import seed


class Stop(Exception):
    """Raised in the main thread when the demo is told to stop by a signal other than Ctrl+C."""


def _stop(signum: int, frame: object) -> None:
    raise Stop(signal.Signals(signum).name)


def run(*, port: int, workers: int) -> None:
    # Ctrl+C reaches every process in the terminal's group; `kill`, a closed terminal or a
    # process manager signal only this one, so pass those on rather than leave orphans serving.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, _stop)
    migrate.upgrade(current_app.extensions["engine"])
    click.echo(seed.run())
    env = dict(os.environ)
    # The worker and web processes must use the same instance folder and database as this one.
    env.setdefault("ENGAGE_INSTANCE_PATH", current_app.instance_path)
    partnership = seed.load("partnership.json")
    env.setdefault("ENGAGE_PARTNERSHIP_NAME", partnership["name"])
    env.setdefault("ENGAGE_CONTACT_EMAIL", partnership["contact_email"])
    env.setdefault("ENGAGE_LOCALITIES", ",".join(partnership["localities"]))
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and module  # nosec B603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "worker.celery_app",
            "worker",
            "--beat",
            "--loglevel=INFO",
            "--concurrency=1",
        ],
        env=env,
    )
    web = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments  # nosec B603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "-",
            "engage.app:create_app()",
        ],
        env=env,
    )
    processes = [web, worker]
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", web)
        banner(port)
        while all(p.poll() is None for p in processes):
            time.sleep(1)
        raise click.ClickException("A demo process stopped; see the messages above.")
    except (KeyboardInterrupt, Stop):
        click.echo("\nStopping Engage...")
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)


def wait_until_up(url: str, web: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if web.poll() is not None:
            raise click.ClickException("The web server did not start; see the messages above.")
        with suppress(OSError), urllib.request.urlopen(url, timeout=2):  # noqa: S310 - local  # nosec B310
            return
        time.sleep(0.5)
    raise click.ClickException(f"The web server did not answer at {url}")


def banner(port: int) -> None:
    rows = [f"  {u['role']:<13} {u['email']:<40} {u['password']}" for u in seed.demo_logins()]
    lines = [
        "",
        "=" * 72,
        f"Engage is running at http://127.0.0.1:{port}",
        "Demo logins (role, email, password):",
        *rows,
        f"Officers and the administrator also type a one-time code: add the key "
        f"{seed.DEMO_TOTP_SECRET}",
        "to an authenticator app, or run `.venv/bin/engage demo-code` for the current code.",
        "The closed consultation's themes are analysed and curated by the officer; sign in",
        "as the JOG member and open Findings or the Priority board. Ctrl+C stops everything.",
        "=" * 72,
        "",
    ]
    click.echo("\n".join(lines))
