"""The deployment examples agree with the code: every queue has a worker, one beat, the web
process serves the app factory, and the scripts the docs name exist and can run."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from engage.config import QUEUE_NAMES, SETTINGS, TASK_ROUTES

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def queues_of(command: list[str]) -> set[str]:
    return set(command[command.index("-Q") + 1].split(","))


def test_every_queue_has_a_worker_in_compose():
    services = compose()["services"]
    workers = [s for s in services.values() if "worker" in s.get("command", [])]
    consumed = set().union(*(queues_of(s["command"]) for s in workers))
    assert consumed == set(QUEUE_NAMES)
    assert {route["queue"] for route in TASK_ROUTES.values()} <= consumed


def test_compose_runs_one_beat_a_web_process_and_the_shared_services():
    services = compose()["services"]
    beats = [s for s in services.values() if "beat" in s.get("command", [])]
    assert len(beats) == 1
    assert "engage.app:create_app()" in services["web"]["command"]
    assert {"postgres", "redis"} <= set(services)
    for service in services.values():
        for name in service.get("environment", {}):
            assert name.removeprefix("ENGAGE_") in SETTINGS or not name.startswith("ENGAGE_")


def test_the_systemd_worker_unit_takes_its_queues_from_the_instance_name():
    unit = (DEPLOY / "systemd" / "engage-worker@.service").read_text()
    assert "-Q %I" in unit
    for name in ("engage-web.service", "engage-beat.service", "engage-backup.timer"):
        assert (DEPLOY / "systemd" / name).exists()


def test_the_backup_scripts_are_executable_and_documented():
    guide = (ROOT / "docs" / "deployment.md").read_text()
    for script in ("backup.sh", "restore.sh"):
        assert os.access(DEPLOY / script, os.X_OK)
        assert f"deploy/{script}" in guide
    for queue in QUEUE_NAMES:
        assert f"`{queue}`" in guide
