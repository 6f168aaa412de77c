"""A worker killed mid-task (SIGKILL by its process id): the task is delivered again and leaves
exactly one result. A task that always fails ends "failed" with its reason and the next runs."""

from __future__ import annotations

import os
import signal
import time

import pytest
from sqlalchemy import func, select

from engage.curation.runs import request_analysis
from engage.db import get_session
from engage.findings import services as findings
from engage.findings.models import AnalysisRun, QuestionAnalysis
from tests import factories
from tests.faults.conftest import worker_env
from tests.faults.services import start_worker, stop
from tests.worker.corpus import ANSWERS

pytestmark = pytest.mark.faults

# A short visibility timeout so the killed worker's task comes back within seconds.
FAST_REDELIVERY = {"ENGAGE_VISIBILITY_TIMEOUT": "4", "ENGAGE_TASK_TIME_LIMIT": "3"}


def consultation_with_answers(app, copies: int) -> int:
    with app.app_context():
        session = get_session()
        factories.bind(session)
        item = factories.consultation()
        q1, _, q3 = item.questions
        for n in range(copies):
            for text in ANSWERS:
                factories.response(item, {q1.id: ["o1"], q3.id: [f"{text} ({n})"]})
        session.commit()
        factories.bind(None)  # type: ignore[arg-type]
        return item.id


def request_run(app, consultation_id: int, params: dict | None = None) -> int:
    from surveys.models import Consultation

    with app.app_context():
        session = get_session()
        run = request_analysis(
            session, session.get(Consultation, consultation_id), trigger="officer", params=params
        )
        session.commit()
        assert findings.dispatch(session, app.extensions["celery"], [run]) == 1
        session.commit()
        return run.id


def run_state(app, run_id: int) -> tuple[str, str | None, int]:
    with app.app_context():
        session = get_session()
        run = session.get(AnalysisRun, run_id)
        results = session.scalar(select(func.count()).where(QuestionAnalysis.run_id == run_id))
        state = (run.status, run.error, results)
        session.commit()
        return state


def wait_for(app, run_id: int, statuses: set[str], timeout: float = 120) -> tuple:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = run_state(app, run_id)
        if state[0] in statuses:
            return state
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} stayed {run_state(app, run_id)}")


def test_a_worker_killed_mid_task_is_replaced_and_the_run_has_one_result(live, tmp_path):
    consultation_id = consultation_with_answers(live, copies=15)
    run_id = request_run(live, consultation_id)
    log = tmp_path / "worker.log"
    env = worker_env(live, **FAST_REDELIVERY)
    first = start_worker(env, log)
    try:
        wait_for(live, run_id, {"running"})
        os.kill(first.pid, signal.SIGKILL)  # mid-task: the machine died
        first.wait(timeout=10)
    finally:
        stop(first)
    status, _, results = run_state(live, run_id)
    assert status == "running", "the task finished before the kill; make the corpus bigger"
    assert results == 0

    second = start_worker(env, log)
    try:
        status, error, results = wait_for(live, run_id, {"succeeded", "failed"})
    finally:
        stop(second)
    assert (status, error) == ("succeeded", None), log.read_text()[-3000:]
    assert results == 1  # one free-text question, one result: nothing stored twice


def test_a_task_that_always_fails_is_marked_failed_and_does_not_block_the_queue(live, tmp_path):
    consultation_id = consultation_with_answers(live, copies=1)
    with live.app_context():
        from surveys.models import Consultation

        session = get_session()
        poison = request_analysis(
            session, session.get(Consultation, consultation_id), trigger="officer"
        )
        session.commit()
        poison_id = poison.id
    # A message that can never succeed: its question does not exist.
    live.extensions["celery"].send_task(
        "worker.tasks.analyse_question", args=[poison_id, 999_999], retry=False
    )
    healthy = request_run(live, consultation_id)
    worker = start_worker(worker_env(live), tmp_path / "worker.log")
    try:
        status, error, _ = wait_for(live, poison_id, {"succeeded", "failed"})
        assert status == "failed"
        assert "stopped unexpectedly" in error
        assert wait_for(live, healthy, {"succeeded", "failed"})[0] == "succeeded"
    finally:
        stop(worker)
