"""Locks that make scheduled work run once, however many beats or worker machines there are.

Two beats started by mistake (or a tick still running when the next is due) must not send a
reminder twice. On PostgreSQL a session-level advisory lock on a connection of its own is held
for the work; it is released when the work ends, or by the server when the process dies, so a
crashed worker never leaves the schedule stuck. SQLite means one machine: a lock on a file in
the instance folder does the same between its processes.
"""

from __future__ import annotations

import fcntl
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text


def lock_key(name: str) -> int:
    """A stable 32-bit key for ``name`` (advisory locks are numbered)."""
    return zlib.crc32(f"engage:{name}".encode())


@contextmanager
def only_one(engine: Engine, name: str, *, folder: str | Path) -> Iterator[bool]:
    """Yield True while this process holds the lock ``name``; False (at once) if another does."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            key = lock_key(name)
            held = bool(
                connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            )
            connection.commit()
            try:
                yield held
            finally:
                if held:
                    connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    connection.commit()
        return
    path = Path(folder) / f"{name}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
