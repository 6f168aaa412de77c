"""The migrations build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from engage import migrate
from tests.conftest import configured_database, reset_database


def backends(tmp_path_factory=None) -> list[str]:
    names = ["embedded"]
    if configured_database():
        names.append("configured")
    return names


@pytest.mark.parametrize("backend", backends())
def test_models_and_migrations_agree(backend, tmp_path):
    url = configured_database() if backend == "configured" else f"sqlite:///{tmp_path}/m.sqlite"
    if backend == "configured":
        # The session's database was built by the same migrations at start-up.
        engine = create_engine(url)
    else:
        reset_database(url)
        engine = create_engine(url)
    try:
        assert migrate.differences(engine) == []
    finally:
        engine.dispose()


def test_migrations_go_down_and_up_again(tmp_path):
    url = f"sqlite:///{tmp_path}/roundtrip.sqlite"
    engine = create_engine(url)
    try:
        migrate.upgrade(engine)
        migrate.downgrade(engine, "base")
        migrate.upgrade(engine)
        assert migrate.differences(engine) == []
    finally:
        engine.dispose()
