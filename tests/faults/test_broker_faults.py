"""Redis stopped or hanging: residents still submit in under a second, nothing is lost, and
the outbox drains once, without duplicates, when Redis returns."""

from __future__ import annotations

import time

import pytest
from celery import Celery
from sqlalchemy import func, select

from engage.db import get_session
from engage.outbox import TaskOutbox, publish_pending
from surveys.models import Response
from tests import factories
from tests.engage.test_participate import Respondent, form_for
from tests.faults.conftest import worker_env
from tests.faults.services import start_worker, stop

pytestmark = pytest.mark.faults


def open_consultation(app):
    with app.app_context():
        session = get_session()
        factories.bind(session)
        item = factories.consultation()
        session.commit()
        factories.bind(None)  # type: ignore[arg-type]
        return item


def submit_one(app, item) -> float:
    """One resident's whole journey; returns the seconds the final submit took."""
    client = app.test_client()
    person = Respondent(client, item)
    person.start()
    assert person.post(1, form_for(item)).status_code == 303
    started = time.monotonic()
    sent = person.submit()
    took = time.monotonic() - started
    assert sent.status_code == 303, sent.get_data(as_text=True)
    return took


def counts(app) -> tuple[int, int, int, int]:
    with app.app_context():
        session = get_session()
        responses = session.scalar(select(func.count()).select_from(Response))
        rows = session.scalar(select(func.count()).select_from(TaskOutbox))
        published = session.scalar(select(func.count()).where(TaskOutbox.published_at.is_not(None)))
        done = session.scalar(select(func.count()).where(TaskOutbox.done_at.is_not(None)))
        session.commit()
        return responses, rows, published, done


def wait_until(condition, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def drain_with_a_real_worker(app, tmp_path, expected: int) -> str:
    """Publish the outbox twice over (as a dispatcher that crashed before recording it would),
    let a real worker run everything, and return its log."""
    with app.app_context():
        session = get_session()
        assert publish_pending(session, app.extensions["celery"]) == expected
        rows = session.scalars(select(TaskOutbox)).all()
        for row in rows:
            row.published_at = None  # the record of publishing was lost: publish again
        session.commit()
        assert publish_pending(session, app.extensions["celery"]) == expected
    log = tmp_path / "worker.log"
    worker = start_worker(worker_env(app), log)
    try:
        wait_until(lambda: counts(app)[3] == expected, what="the outbox to drain")
        time.sleep(1)  # give any duplicate delivery time to run
    finally:
        stop(worker)
    return log.read_text()


@pytest.mark.parametrize("fault", ["stopped", "paused"])
def test_submissions_do_not_wait_on_redis_and_drain_once(live, redis_server, tmp_path, fault):
    item = open_consultation(live)
    if fault == "stopped":
        redis_server.stop()
    else:
        redis_server.pause()

    timings = [submit_one(live, item) for _ in range(5)]
    assert max(timings) < 1.0, timings
    assert counts(live) == (5, 5, 0, 0)  # every response stored, each with its outbox row

    # The dispatcher meets the broker fault, keeps every row and comes back promptly.
    with live.app_context():
        started = time.monotonic()
        assert publish_pending(get_session(), live.extensions["celery"]) == 0
        assert time.monotonic() - started < 10
        row = get_session().scalars(select(TaskOutbox).order_by(TaskOutbox.id)).first()
        assert row.attempts == 1
        assert row.last_error
    # Readiness reports the broker as degraded without failing the web process.
    ready = live.test_client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json["status"] == "degraded"
    assert ready.json["checks"]["broker"]["status"] == "degraded"

    if fault == "stopped":
        redis_server.start()
    else:
        redis_server.resume()
    # The Flask app's producer pool may hold a dead connection: a fresh app, as a new dispatch.
    log = drain_with_a_real_worker(live, tmp_path, expected=5)
    assert counts(live) == (5, 5, 5, 5)
    with live.app_context():
        response_ids = get_session().scalars(select(Response.id)).all()
    for response_id in response_ids:
        assert log.count(f"response {response_id} received") == 1, log[-3000:]


def test_officers_start_analysis_and_reports_while_redis_hangs_and_they_run_when_it_returns(
    live, redis_server, tmp_path
):
    """No request calls the broker: the run and the report are rows the dispatcher sends."""
    from engage.findings.models import AnalysisRun
    from engage.reports.models import Report
    from tests.faults.test_heartbeat import worker_with_beat
    from tests.worker.corpus import ANSWERS

    with live.app_context():
        session = get_session()
        factories.bind(session)
        officer = factories.user("officer")
        item = factories.consultation(officer.organisation)
        q1, _, q3 = item.questions
        for text in ANSWERS[:40]:
            factories.response(item, {q1.id: ["o1"], q3.id: [text]})
        session.commit()
        factories.bind(None)  # type: ignore[arg-type]
    client = live.test_client()
    assert factories.sign_in(client, officer).status_code == 302

    redis_server.pause()  # hanging: connections accepted, nothing answered
    sent: list[str] = []
    real_send = Celery.send_task
    Celery.send_task = lambda self, name, *a, **kw: sent.append(name)  # type: ignore[method-assign]  # records any send a request makes
    try:
        took = []
        started = time.monotonic()
        analysis = client.post(f"/manage/{item.id}/analysis", data={"method": "free"})
        took.append(time.monotonic() - started)
        started = time.monotonic()
        report = client.post(f"/reports/consultations/{item.id}")
        took.append(time.monotonic() - started)
    finally:
        Celery.send_task = real_send  # type: ignore[method-assign]
    assert analysis.status_code == 303, analysis.get_data(as_text=True)[:2000]
    assert report.status_code == 302
    assert sent == [], "a request sent a task to the broker itself"
    # Neither waited on Redis: one wait is the 2 s socket timeout (engage/config.py).
    assert max(took) < 2.0, took
    with live.app_context():
        session = get_session()
        run = session.scalars(select(AnalysisRun)).one()
        built = session.scalars(select(Report)).one()
        assert (run.status, run.dispatched_at) == ("queued", None)
        assert (built.status, built.dispatched_at) == ("queued", None)
        run_id, report_id = run.id, built.id
        session.commit()

    redis_server.resume()
    log = tmp_path / "worker.log"
    worker = worker_with_beat(worker_env(live), log)  # its beat dispatches every 2 s
    try:

        def finished() -> bool:
            with live.app_context():
                session = get_session()
                states = (
                    session.get(AnalysisRun, run_id).status,
                    session.get(Report, report_id).status,
                )
                session.commit()
            assert "failed" not in states, log.read_text()[-3000:]
            return states == ("succeeded", "succeeded")

        wait_until(finished, timeout=50, what="the analysis and the report to run")
    finally:
        import os
        import signal

        os.killpg(worker.pid, signal.SIGKILL)  # its work is done and checked
        worker.wait(timeout=10)
