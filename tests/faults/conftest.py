"""Fixtures for the fault tests: private servers and an app bound to them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from engage.app import create_app
from tests.conftest import app_config, reset_database
from tests.faults.services import PrivatePostgres, PrivateRedis


@pytest.fixture(scope="session")
def postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    server.start()
    yield server
    server.destroy()


@pytest.fixture
def redis_server() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    yield server
    if server.process is not None:
        server.resume()
        server.stop()


@pytest.fixture
def live(postgres: PrivatePostgres, redis_server: PrivateRedis, tmp_path: Path) -> Iterator[Flask]:
    """The app on the private servers, with a freshly migrated database and real commits."""
    reset_database(postgres.url)
    app = create_app(app_config(tmp_path, postgres.url, redis_server.url))
    yield app
    app.extensions["engine"].dispose()


def worker_env(app: Flask, **extra: str) -> dict[str, str]:
    return {
        "ENGAGE_DATABASE_URL": app.config["DATABASE_URL"],
        "ENGAGE_BROKER_URL": app.config["BROKER_URL"],
        "ENGAGE_INSTANCE_PATH": app.instance_path,
        "ENGAGE_SECRET_KEY": "test-secret",
        **extra,
    }
