"""Private PostgreSQL and Redis servers that fault tests may stop, pause and restart.

The machine's shared services are never touched: each test run starts its own throwaway
instances on free ports. A missing binary fails the test (never a skip), so CI cannot pass
without running the faults.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on port {port}")


def require(binary: str, hint: str) -> str:
    path = shutil.which(binary) or next(iter(sorted(glob.glob(binary))), None)
    if path is None:
        pytest.fail(f"fault tests need {binary!r} ({hint}); they are never skipped")
    return path


class PrivateRedis:
    def __init__(self) -> None:
        self.binary = require("redis-server", "apt-get install redis-server")
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        """Stopped hard, as a crashed server: its queue is lost with it."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def pause(self) -> None:
        """Hanging: the port accepts connections but nothing answers (SIGSTOP)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)


class PrivatePostgres:
    """A throwaway cluster (initdb) owned by a non-root user, as PostgreSQL insists."""

    def __init__(self) -> None:
        bindir = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        found = bindir[-1] if bindir else os.path.dirname(shutil.which("initdb") or "")
        if not found or not os.path.exists(os.path.join(found, "initdb")):
            pytest.fail("fault tests need PostgreSQL's initdb/pg_ctl (apt-get install postgresql)")
        self.bin = Path(found)
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="engage-pg-"))
        os.chmod(self.dir, 0o777)  # noqa: S103 - a throwaway folder the postgres user must write
        self.data = self.dir / "data"
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if runuser is None:
                pytest.fail("running as root, fault tests need runuser to start PostgreSQL")
            self.prefix = [runuser, "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.prefix, str(self.bin / tool), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=self.dir,
        )

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=200"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.dir / "log"),
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        self.stop("immediate")  # as a crash: open transactions are lost, never half-written
        self.start()

    def tool(self, name: str) -> str:
        return str(self.bin / name)

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def start_worker(env: dict[str, str], log: Path, *extra: str) -> subprocess.Popen:
    """A real Celery worker (solo pool: the process we kill is the one running the task)."""
    with log.open("a") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "worker.celery_app",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                *extra,
            ],
            cwd=ROOT,
            env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
