from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from engage.app import create_app
from engage.config import SETTINGS, ConfigError, environment_settings

ROOT = Path(__file__).resolve().parents[2]


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="ENGAGE_SECRET_KEY is not set"):
        create_app({"ENV": "production", "INSTANCE_PATH": str(tmp_path)})


def test_production_refuses_the_development_key(tmp_path):
    from engage.crypto import DEV_SECRET_KEY

    with pytest.raises(ConfigError, match="development key"):
        create_app(
            {"ENV": "production", "SECRET_KEY": DEV_SECRET_KEY, "INSTANCE_PATH": str(tmp_path)}
        )


def test_production_cookies_are_secure(tmp_path):
    app = create_app({"ENV": "production", "SECRET_KEY": "x" * 40, "INSTANCE_PATH": str(tmp_path)})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_the_command_refuses_production_without_a_key_in_plain_english(tmp_path):
    env = {"ENGAGE_ENV": "production", "ENGAGE_INSTANCE_PATH": str(tmp_path), "PATH": ""}
    result = subprocess.run(
        [sys.executable, "-m", "engage.cli", "db", "upgrade"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode != 0
    assert "ENGAGE_SECRET_KEY is not set" in result.stderr


def test_embedded_defaults_need_no_services(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'engage.sqlite'}"
    assert app.config["CELERY"]["broker_url"] == "filesystem://"
    assert (tmp_path / "broker").is_dir()


def test_environment_variables_are_read_with_the_engage_prefix():
    settings = environment_settings(
        {
            "ENGAGE_DATABASE_URL": "postgresql+psycopg://db/engage",
            "ENGAGE_BROKER_URL": "redis://cache:6379/0",
            "ENGAGE_TICK_SECONDS": "10",
            "DATABASE_URL": "ignored",
        }
    )
    assert settings == {
        "DATABASE_URL": "postgresql+psycopg://db/engage",
        "BROKER_URL": "redis://cache:6379/0",
        "TICK_SECONDS": 10,
    }


def test_redis_broker_gets_timeouts_and_a_long_visibility_timeout(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "BROKER_URL": "redis://127.0.0.1:6379/0"})
    options = app.config["CELERY"]["broker_transport_options"]
    assert options["visibility_timeout"] >= 3600
    assert options["socket_timeout"] <= 10


def test_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"`ENGAGE_([A-Z_]+)`", readme))
    assert documented == set(SETTINGS)


def test_the_analysis_method_is_checked_at_start(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["ANALYSIS_METHOD"] == "embeddings"
    with pytest.raises(
        ConfigError, match="ENGAGE_ANALYSIS_METHOD must be one of embeddings, tfidf"
    ):
        create_app({"INSTANCE_PATH": str(tmp_path), "ANALYSIS_METHOD": "lda"})


def test_the_web_app_knows_the_same_methods_as_the_analysis_package():
    from analysis.types import METHODS
    from engage.config import ANALYSIS_METHODS

    assert ANALYSIS_METHODS == METHODS


def test_the_analysis_settings_come_from_the_environment():
    settings = environment_settings(
        {"ENGAGE_ANALYSIS_METHOD": "embeddings", "ENGAGE_EMBEDDING_MODEL": "/srv/models/minilm"}
    )
    assert settings == {"ANALYSIS_METHOD": "embeddings", "EMBEDDING_MODEL": "/srv/models/minilm"}


def test_behind_a_proxy_the_forwarded_address_and_scheme_are_used_only_when_configured(tmp_path):
    from flask import request, url_for

    headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    for hops, address, scheme in ((0, "127.0.0.1", "http"), (1, "203.0.113.9", "https")):
        app = create_app({"INSTANCE_PATH": str(tmp_path), "PROXY_HOPS": hops})

        @app.get("/where")
        def where() -> dict:
            return {"ip": request.remote_addr, "link": url_for("where", _external=True)}

        seen = app.test_client().get("/where", headers=headers).json
        assert seen["ip"] == address
        assert seen["link"].startswith(f"{scheme}://")
    assert environment_settings({"ENGAGE_PROXY_HOPS": "2"}) == {"PROXY_HOPS": 2}
