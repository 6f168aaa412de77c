"""The migrations build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from engage import migrate
from tests.conftest import configured_database, reset_database

BACKENDS = ["embedded"] + (["configured"] if configured_database() else [])


@pytest.mark.parametrize("backend", BACKENDS)
def test_models_and_migrations_agree(backend, tmp_path):
    url = configured_database() if backend == "configured" else f"sqlite:///{tmp_path}/m.sqlite"
    reset_database(url)  # the migrations alone build the schema
    engine = create_engine(url)
    try:
        assert migrate.differences(engine) == []
    finally:
        engine.dispose()


def test_migrations_go_down_and_up_again(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/roundtrip.sqlite")
    try:
        migrate.upgrade(engine)
        migrate.downgrade(engine, "base")
        migrate.upgrade(engine)
        assert migrate.differences(engine) == []
    finally:
        engine.dispose()
