"""The database engine and one Session per request or task (the flaskr get_db pattern)."""

from __future__ import annotations

from typing import Any, cast

from flask import Flask, current_app, g
from sqlalchemy import CursorResult, Engine, Executable, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # pre_ping recovers from a database restart without restarting the app.
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the web server read while the worker writes; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["engine"] = engine
    app.extensions["sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(close_session)


def get_session() -> Session:
    if "db_session" not in g:
        g.db_session = current_app.extensions["sessionmaker"]()
    session: Session = g.db_session
    return session


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()  # anything uncommitted is rolled back


def rows_changed(session: Session, statement: Executable) -> int:
    """Run a bulk UPDATE or DELETE and say how many rows it changed.

    ``Session.execute`` is typed to return a plain ``Result``; for DML it is a ``CursorResult``,
    which is where ``rowcount`` lives.
    """
    result = cast("CursorResult[Any]", session.execute(statement))
    return int(result.rowcount or 0)
