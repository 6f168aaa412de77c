"""The whole journey over HTTP, with a real Celery worker process consuming a real broker.

Runs in the embedded mode (SQLite file, filesystem broker) and, when configured, against
PostgreSQL and Redis. Data here is committed for real, so the worker process can see it.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from engage.app import create_app
from engage.db import get_session
from engage.findings.models import AnalysisRun
from tests import factories
from tests.conftest import ROOT, app_config, configured_broker, configured_database, reset_database
from tests.worker.corpus import ANSWERS

PASSWORD = "integration test password"


def modes() -> list[str]:
    return ["embedded"] + (["configured"] if configured_database() else [])


@pytest.fixture(params=modes())
def live(request, tmp_path) -> Flask:
    if request.param == "configured":
        database, broker = configured_database(), configured_broker()
    else:
        database, broker = f"sqlite:///{tmp_path}/it.sqlite", "filesystem://"
    reset_database(database)
    app = create_app(app_config(tmp_path, database, broker))
    app.extensions["celery"].control.purge()  # nothing left over from an earlier run
    yield app
    app.extensions["engine"].dispose()
    # Leave the shared database empty for the next test; the audit log refuses DELETE.
    reset_database(database)


def start_worker(live: Flask, tmp_path: Path, **extra_env: str) -> subprocess.Popen:
    """A real Celery worker process on the app's database and broker, logging to worker.log."""
    env = {
        **os.environ,
        "ENGAGE_DATABASE_URL": live.config["DATABASE_URL"],
        "ENGAGE_BROKER_URL": live.config["BROKER_URL"],
        "ENGAGE_INSTANCE_PATH": live.instance_path,
        "ENGAGE_SECRET_KEY": "test-secret",
        # Its embedded beat publishes what requests left in the outbox (every 2 s, as in
        # production); the tests send the tick themselves when they want it.
        "ENGAGE_TICK_SECONDS": "3600",
        **extra_env,
    }
    with (tmp_path / "worker.log").open("w") as log:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "worker.celery_app",
                "worker",
                "--beat",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture
def worker(live: Flask, tmp_path: Path):
    process = start_worker(live, tmp_path)
    yield process
    stop_worker(process)


def login(client, email: str) -> None:
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    if response.headers["Location"].endswith("/sign-in/code"):
        # A code works once: if this step's was used by an earlier sign-in, the next one works.
        for offset in (0, 1):
            response = client.post("/sign-in/code", data={"code": factories.code_at(offset)})
            if response.status_code == 302:
                break
        assert response.status_code == 302, response.get_data(as_text=True)


def test_answers_sent_over_http_are_analysed_by_a_real_worker(live, worker, tmp_path):
    with live.app_context():
        session = get_session()
        council = factories.partner_staff(session, PASSWORD)
        session.commit()
        council_id = council.id

    officer = live.test_client()
    login(officer, "officer@example.org")
    created = officer.post(
        "/manage/new",
        data={
            "title": "Your town, your say",
            "summary": "What should change?",
            "organisation_id": council_id,
            "closes": ["1", "1", "2040"],
        },
    )
    detail_url = created.headers["Location"]
    for question in (
        {
            "type": "single_choice",
            "title": "How do you travel?",
            "required": "yes",
            "options": "Bus\nCar\nOn foot",
        },
        {"type": "multiple_choice", "title": "Which services matter?", "options": "Roads\nYouth"},
        {"type": "long_text", "title": "What would make the biggest difference?"},
        {"type": "long_text", "title": "Anything else you want to tell us?"},
    ):
        assert officer.post(f"{detail_url}/questions/new", data=question).status_code == 302
    assert officer.post(f"{detail_url}/open").status_code == 302

    slug = "your-town-your-say"
    resident = live.test_client()
    for n, text in enumerate(ANSWERS):
        first_page = resident.get(f"/consultations/{slug}/respond").headers["Location"]
        form = resident.get(first_page).get_data(as_text=True)
        ids = sorted({int(part.split('"')[0]) for part in form.split('name="q')[1:]})
        answers = {
            f"q{ids[0]}": f"o{n % 3 + 1}",
            f"q{ids[1]}": ["o1"],
            f"q{ids[2]}": text,
            f"q{ids[3]}": ANSWERS[-1 - n],
        }
        assert resident.post(first_page, data=answers).status_code == 303
        sent = resident.post(first_page.rsplit("/", 1)[0] + "/submit")
        assert sent.status_code == 303
        assert sent.headers["Location"].endswith("/thank-you")

    started = officer.post(f"{detail_url}/analysis")
    run_url = started.headers["Location"]
    deadline = time.monotonic() + 120
    status = {}
    while time.monotonic() < deadline:
        status = officer.get(f"{run_url}.json").json
        if status["finished"]:
            break
        time.sleep(0.5)
    log = (tmp_path / "worker.log").read_text()
    assert status.get("status") == "succeeded", (status, log[-3000:])
    assert "worker.tasks.run_analysis" in log
    # Two free-text questions: the run fanned out into one task per question.
    assert log.count("Task worker.tasks.analyse_question[") >= 2

    jog = live.test_client()
    login(jog, "jog@example.org")
    consultation_id = detail_url.rstrip("/").rsplit("/", 1)[1]
    page = jog.get(f"/findings/{consultation_id}").get_data(as_text=True)
    assert "Themes in the answers to question 3" in page
    assert "bus" in page.lower()
    assert "pothole" in page.lower()
    quotes = page.count('class="engage-quote"')
    assert quotes >= 3
    cloud = page.split('src="/findings/word-clouds/')[1].split('"')[0]
    image = jog.get(f"/findings/word-clouds/{cloud}")
    assert image.status_code == 200
    assert image.data.startswith(b"\x89PNG")
    # the choice question's counts, as a table beside the chart
    row = (
        '<th scope="row" class="govuk-table__header">Bus</th><td class="govuk-table__cell '
        'govuk-table__cell--numeric">{}</td>'
    )
    assert row.format(11) in page


def wait_for(client, run_url: str, tmp_path: Path) -> dict:
    deadline = time.monotonic() + 120
    status: dict = {}
    while time.monotonic() < deadline:
        status = client.get(f"{run_url}.json").json
        if status["finished"]:
            break
        time.sleep(0.5)
    log = (tmp_path / "worker.log").read_text()
    assert status.get("status") == "succeeded", (status, log[-3000:])
    return status


def test_a_codebook_run_by_a_real_worker_and_its_redelivery_leave_one_result(
    live, worker, tmp_path
):
    import json

    from sqlalchemy import func, select

    from engage.findings.models import QuestionAnalysis, Theme, ThemeAssignment

    consultation_id = seed_two_questions(live)
    officer = live.test_client()
    login(officer, "officer@example.org")
    codebook = {
        "themes": [
            {
                "id": "transport",
                "label": "Public transport",
                "description": "Buses, fares and timetables",
                "examples": ["More buses please", "Bus fares are too dear", "The bus is late"],
            },
            {
                "id": "roads",
                "label": "Roads and pavements",
                "description": "Potholes and road repairs",
                "examples": ["Fix the potholes", "Resurface the roads", "Broken pavements"],
            },
        ]
    }
    uploaded = officer.post(
        "/codebooks/upload",
        data={
            "name": "Transport priorities",
            "file": (io.BytesIO(json.dumps(codebook).encode()), "transport.json"),
        },
    )
    assert uploaded.status_code == 303, uploaded.get_data(as_text=True)
    codebook_id = uploaded.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    started = officer.post(
        f"/manage/{consultation_id}/analysis", data={"method": f"codebook-{codebook_id}"}
    )
    assert started.status_code == 303
    run_url = started.headers["Location"]
    run_id = int(run_url.rsplit("/", 1)[1])
    wait_for(officer, run_url, tmp_path)

    def snapshot() -> tuple:
        with live.app_context():
            session = get_session()
            themes = session.execute(
                select(Theme.key, Theme.kind, Theme.size).order_by(Theme.key)
            ).all()
            analyses = session.scalar(select(func.count()).select_from(QuestionAnalysis))
            links = session.execute(select(ThemeAssignment.theme_id, ThemeAssignment.answer_id))
            pairs = [tuple(p) for p in links]
            session.close()
        assert len(pairs) == len(set(pairs))
        return analyses, [tuple(t) for t in themes], len(pairs)

    before = snapshot()
    assert before[0] == 2  # one result per free-text question
    assert ("transport", "codebook") in [(k, kind) for k, kind, _ in before[1]]
    assert any(kind == "proposed" for _, kind, _ in before[1])

    # A re-delivered task for a run whose worker died mid-way: it starts again from a clean slate.
    with live.app_context():
        session = get_session()
        run = session.get(AnalysisRun, run_id)
        run.status = "running"
        session.commit()
        live.extensions["celery"].send_task("worker.tasks.run_analysis", args=[run_id])
    wait_for(officer, run_url, tmp_path)
    assert snapshot() == before

    page = officer.get(f"/findings/{consultation_id}").get_data(as_text=True)
    assert "The themes came from the codebook <strong>Transport priorities</strong>" in page
    assert "Proposed new themes" in page


def get_type_parse(question, text: str):
    from surveys.questions import get_type

    return get_type(question.type).parse(question, [text])


def seed_two_questions(live: Flask) -> int:
    """A consultation with two free-text questions answered from the test corpus; its id."""
    from surveys import services
    from surveys.base import utcnow

    with live.app_context():
        session = get_session()
        council = factories.partner_staff(session, PASSWORD)
        item = services.create_consultation(
            session,
            title="Getting about",
            summary="What should change?",
            organisation_id=council.id,
            opens_at=utcnow() - timedelta(days=1),
            closes_at=utcnow() + timedelta(days=1),
        )
        first = services.add_question(session, item, type="long_text", title="What matters?")
        second = services.add_question(session, item, type="long_text", title="Anything else?")
        item.status = "open"
        for n, text in enumerate(ANSWERS):
            parsed = {
                first.id: get_type_parse(first, text),
                second.id: get_type_parse(second, ANSWERS[-1 - n]),
            }
            services.submit_response(session, item, parsed, token=f"t{n}", now=utcnow())
        session.commit()
        return item.id


# One mode is enough here: the model's cost (about 30 s) does not depend on the database, and the
# embedded default is proven by every other test in this file. With services configured (CI) the
# test runs against them.
@pytest.mark.parametrize("live", modes()[-1:], indirect=True)
def test_a_worker_set_to_sentence_embeddings_themes_with_the_real_model(
    live, tmp_path, embedding_model_path
):
    """ENGAGE_ANALYSIS_METHOD=embeddings on the worker: the real model, in the worker process."""
    from sqlalchemy import select

    from engage.findings.models import QuestionAnalysis

    consultation_id = seed_two_questions(live)
    process = start_worker(
        live,
        tmp_path,
        ENGAGE_ANALYSIS_METHOD="embeddings",
        ENGAGE_EMBEDDING_MODEL=embedding_model_path,
    )
    try:
        officer = live.test_client()
        login(officer, "officer@example.org")
        started = officer.post(f"/manage/{consultation_id}/analysis")
        assert started.status_code in (302, 303)
        wait_for(officer, started.headers["Location"], tmp_path)
    finally:
        stop_worker(process)

    with live.app_context():
        session = get_session()
        methods = session.scalars(select(QuestionAnalysis.method)).all()
        session.close()
    assert methods == ["embeddings-kmeans", "embeddings-kmeans"]
    page = officer.get(f"/findings/{consultation_id}").get_data(as_text=True)
    assert "Themes in the answers to question 1" in page
    assert "bus" in page.lower()
