"""Beyond one machine: two web processes and two workers on different queues share one
PostgreSQL and one Redis. A resident starts on one web process and finishes on the other; the
analysis runs on the analysis worker only, the response and the report on the other only."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from engage.curation.runs import request_analysis
from engage.db import get_session
from engage.findings.models import AnalysisRun
from engage.outbox import TaskOutbox
from engage.reports import services as reports
from engage.reports.models import Report
from engage.web.participate.journey import form_key
from surveys.models import Consultation, Response
from tests.faults.conftest import worker_env
from tests.faults.services import ROOT, free_port, wait_for_port
from tests.faults.test_broker_faults import wait_until
from tests.faults.test_worker_faults import consultation_with_answers

pytestmark = pytest.mark.faults


def start(command: list[str], env: dict[str, str], log) -> subprocess.Popen:
    with log.open("a") as out:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a worker's embedded beat goes with it
        )


def web_process(env: dict[str, str], log) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}"]
    return start([*command, "engage.app:create_app()"], env, log), port


def worker(env: dict[str, str], log, queues: str, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "worker.celery_app", "worker", "-Q"]
    return start(
        [*command, queues, "--pool=solo", "--loglevel=INFO", "--without-gossip", *extra],
        env,
        log,
    )


def request(port: int, method: str, path: str, form: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = urlencode(form, doseq=True) if form is not None else None
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if form is not None else {}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    return response.status, response.getheader("Location") or "", text


def test_two_web_processes_and_two_workers_on_different_queues(live, tmp_path):
    consultation_id = consultation_with_answers(live, copies=1)
    with live.app_context():
        session = get_session()
        item = session.get(Consultation, consultation_id)
        slug, fields = item.slug, [q.field_name for q in item.questions]
        session.commit()
    # The form's minimum time (a bot check, tested in test_formguard) would refuse this
    # script's instant answers; here only where the work runs matters.
    env = worker_env(
        live,
        ENGAGE_DISPATCH_SECONDS="1",
        ENGAGE_TICK_SECONDS="3600",
        ENGAGE_FORM_MIN_SECONDS="0",
    )
    logs = {name: tmp_path / f"{name}.log" for name in ("web1", "web2", "analysis", "general")}
    processes = []
    try:
        web1, port1 = web_process(env, logs["web1"])
        web2, port2 = web_process(env, logs["web2"])
        processes += [web1, web2]
        processes.append(worker(env, logs["analysis"], "analysis"))
        processes.append(worker(env, logs["general"], "celery,email,reports", "--beat"))
        wait_for_port(port1, timeout=40)
        wait_for_port(port2, timeout=40)

        # A resident starts on web 1 and finishes on web 2: nothing lives in a web process.
        status, location, _ = request(port1, "GET", f"/consultations/{slug}/respond")
        assert status == 302
        page_one = location.split("://", 1)[-1].split("/", 1)[-1]
        token = page_one.split("/")[-2]
        with live.app_context():
            key = form_key(token)  # what the page's form carries
        answers = {fields[0]: "o1", fields[1]: ["o2"], fields[2]: "Buses", "form_key": key}
        status, _, _ = request(port1, "POST", f"/{page_one}", answers)
        assert status == 303
        submit = "/" + page_one.rsplit("/", 1)[0] + "/submit"
        status, location, _ = request(port2, "POST", submit, {"form_key": key})
        assert status == 303
        assert location.endswith("/thank-you")

        # An officer's analysis and report (rows, as the pages write them).
        with live.app_context():
            session = get_session()
            item = session.get(Consultation, consultation_id)
            run_id = request_analysis(session, item, trigger="officer").id
            report_id = reports.request_findings_report(session, item, requested_by_id=None).id
            session.commit()

        def done() -> bool:
            with live.app_context():
                session = get_session()
                states = (
                    session.get(AnalysisRun, run_id).status,
                    session.get(Report, report_id).status,
                    session.scalars(select(TaskOutbox.done_at)).all(),
                )
                session.commit()
            return states[:2] == ("succeeded", "succeeded") and all(states[2])

        wait_until(done, timeout=50, what="the run, the report and the response's outbox row")
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    with live.app_context():
        session = get_session()
        response_id = session.scalar(select(Response.id).where(Response.submission_token == token))
        session.commit()
    analysis_log, general_log = logs["analysis"].read_text(), logs["general"].read_text()

    def ran(name: str, log: str) -> bool:  # the worker's "Task <name>[<id>] received" lines
        return f"Task {name}[" in log

    assert ran("worker.tasks.run_analysis", analysis_log)
    assert ran("worker.tasks.response_received", general_log)
    assert ran("worker.reports.build_report", general_log)
    assert f"response {response_id} received" in general_log
    for name in ("worker.tasks.run_analysis", "worker.tasks.analyse_question"):
        assert not ran(name, general_log)
    for name in ("worker.tasks.response_received", "worker.reports.build_report"):
        assert not ran(name, analysis_log)
