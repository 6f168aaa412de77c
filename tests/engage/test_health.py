"""Liveness and readiness for load balancers; request ids and JSON logs."""

from __future__ import annotations

import json
import logging

from engage.app import create_app
from engage.logs import JsonFormatter
from engage.outbox import beat
from tests.conftest import app_config
from tests.faults.services import free_port


def test_healthz_needs_nothing_but_the_process(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_reports_each_dependency(client, db):
    body = client.get("/readyz").json
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["outbox"]["status"] == "ok"
    # No worker has beaten yet: degraded, but still ready to serve residents.
    assert body["checks"]["worker"]["status"] == "degraded"
    beat(db, "worker")
    db.commit()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"]["worker"]["status"] == "ok"


def test_readyz_fails_without_the_database(tmp_path):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing"
    app = create_app(app_config(tmp_path, url, "filesystem://"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "fail"
    assert app.test_client().get("/healthz").status_code == 200


def test_every_response_carries_a_request_id(client):
    given = client.get("/healthz", headers={"X-Request-ID": "lb-1234"})
    assert given.headers["X-Request-ID"] == "lb-1234"
    made = client.get("/healthz", headers={"X-Request-ID": "not a plain id"})
    assert len(made.headers["X-Request-ID"]) == 32


def test_json_log_lines_carry_the_request_id(app):
    record = logging.LogRecord("engage", logging.INFO, __file__, 1, "stored %s", ("x",), None)
    with app.test_request_context("/", headers={"X-Request-ID": "abc"}):
        app.preprocess_request()
        entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "stored x"
    assert entry["request_id"] == "abc"
