"""/readyz reads the worker's heartbeat: fresh while a worker and its beat run, stale once the
machine they ran on is killed (SIGKILL to the whole process group), with 200 throughout."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.faults.conftest import worker_env
from tests.faults.services import ROOT

pytestmark = pytest.mark.faults

TICK_SECONDS = 1  # the heartbeat is stale after ten missed ticks: 10 s here, 5 min by default


def worker_with_beat(env: dict[str, str], log) -> subprocess.Popen:
    """A worker with its embedded beat, in its own process group so one kill ends both."""
    with log.open("a") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "worker.celery_app", "worker", "--beat"]
            + ["--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle"],
            cwd=ROOT,
            env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def worker_check(app) -> dict:
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 200  # a silent worker never takes the web process out
    return ready.json["checks"]["worker"]


def wait_for_worker_status(app, status: str, timeout: float, log) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        check = worker_check(app)
        if check["status"] == status:
            return check
        time.sleep(0.25)
    raise AssertionError(f"worker never {status}: {worker_check(app)}\n{log.read_text()[-3000:]}")


def test_readyz_reports_the_heartbeat_fresh_while_the_worker_runs_and_stale_once_killed(
    live, tmp_path
):
    live.config["TICK_SECONDS"] = TICK_SECONDS
    assert worker_check(live)["status"] == "degraded"  # no worker has ever beaten
    log = tmp_path / "worker.log"
    worker = worker_with_beat(worker_env(live, ENGAGE_TICK_SECONDS=str(TICK_SECONDS)), log)
    try:
        fresh = wait_for_worker_status(live, "ok", 40, log)
        assert fresh["last_heartbeat_seconds"] < 10 * TICK_SECONDS
        time.sleep(3 * TICK_SECONDS)  # it keeps beating
        assert worker_check(live)["status"] == "ok"
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker machine died: worker and beat at once
        worker.wait(timeout=10)
    killed_at = time.monotonic()
    stale = wait_for_worker_status(live, "degraded", 10 * TICK_SECONDS + 10, log)
    assert stale["last_heartbeat_seconds"] >= 10 * TICK_SECONDS
    assert time.monotonic() - killed_at >= 10 * TICK_SECONDS - 2  # not before it was stale
