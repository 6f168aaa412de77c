"""`make run` end to end: `engage demo` on the embedded defaults, as a newcomer starts it.

It must seed, serve the site, run a real Celery worker (seen through its heartbeat on /readyz),
print the address and the demo logins, and stop everything it started when it is told to stop,
by Ctrl+C or by a plain `kill`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

STARTUP_SECONDS = 300


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def group_members(pgid: int) -> list[int]:
    """Live processes in a process group (zombies excluded)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after it.
        fields = stat.rsplit(")", 1)[1].split()
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            members.append(int(entry.name))
    return members


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - local
        return response.status, response.read().decode()


def test_demo_serves_with_a_worker_on_embedded_defaults_and_stops_cleanly(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENGAGE_")}
    env["ENGAGE_INSTANCE_PATH"] = str(tmp_path / "instance")
    port = free_port()
    engage = Path(sys.executable).with_name("engage")
    process = subprocess.Popen(  # noqa: S603 - our own entry point
        [str(engage), "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    up = threading.Event()

    def read() -> None:
        for line in process.stdout:
            lines.append(line)
            if "Engage is running at" in line:
                up.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert up.wait(STARTUP_SECONDS), "no banner:\n" + "".join(lines[-40:])
        time.sleep(1)  # the rest of the banner
        banner = "".join(lines)
        assert f"http://127.0.0.1:{port}" in banner
        for role in ("officer", "jog", "admin", "resident", "panel_member"):
            assert f"\n  {role} " in banner, role
        assert "Seeded the demo partnership" in banner

        status, page = get(f"http://127.0.0.1:{port}/")
        assert status == 200
        assert "Craigmuir" in page
        # The SQLite file lives where the newcomer's instance folder is, not on a service.
        assert (tmp_path / "instance" / "engage.sqlite").exists()

        deadline = time.monotonic() + 120
        worker = {}
        while time.monotonic() < deadline:
            worker = json.loads(get(f"http://127.0.0.1:{port}/readyz")[1])["checks"]["worker"]
            if worker["status"] == "ok":
                break
            time.sleep(2)
        assert worker["status"] == "ok", worker  # a real worker and beat are beating

        assert len(group_members(process.pid)) >= 3  # demo, web server, worker at least
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        deadline = time.monotonic() + 30
        while group_members(process.pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert group_members(process.pid) == [], "left running after the demo was stopped"
        assert "Stopping Engage" in "".join(lines)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        reader.join(timeout=10)
        process.stdout.close()
