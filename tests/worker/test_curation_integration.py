"""Curated themes survive a re-run by a real Celery worker, and a re-delivered task adds nothing."""
# ruff: noqa: F811 - the fixtures imported from test_integration are used as arguments

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select

from engage.curation import evidence
from engage.curation.models import CuratedAssignment, CuratedSet, CurationEvent
from engage.db import get_session
from engage.findings.models import AnalysisRun
from engage.outbox import TaskOutbox
from surveys import services
from surveys.base import utcnow
from surveys.models import Consultation, Question
from tests import factories
from tests.worker.corpus import ANSWERS
from tests.worker.test_integration import (  # noqa: F401 - fixtures
    PASSWORD,
    get_type_parse,
    live,
    login,
    wait_for,
    worker,
)


def curated_state(live) -> tuple:
    with live.app_context():
        session = get_session()
        item = session.scalars(select(CuratedSet)).one()
        themes = [(t.id, t.label) for t in item.themes]
        links = sorted(
            (a.theme_id, a.answer_id, a.pinned) for a in session.scalars(select(CuratedAssignment))
        )
        known = set(item.baseline)
        session.close()
    return themes, links, known


def test_curated_edits_survive_a_rerun_by_a_real_worker(live, worker, tmp_path, monkeypatch):
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
        question = services.add_question(session, item, type="long_text", title="What matters?")
        item.status = "open"
        for n, text in enumerate(ANSWERS):
            parsed = {question.id: get_type_parse(question, text)}
            services.submit_response(session, item, parsed, token=f"t{n}", now=utcnow())
        session.commit()
        consultation_id, question_id = item.id, question.id

    officer = live.test_client()
    login(officer, "officer@example.org")
    started = officer.post(f"/manage/{consultation_id}/analysis")
    assert started.status_code in (302, 303)
    wait_for(officer, started.headers["Location"], tmp_path)

    url = f"/curation/questions/{question_id}"
    assert officer.post(f"{url}/start").status_code == 303
    themes, links, _ = curated_state(live)
    assert len(themes) >= 2
    (first, _), (second, _) = themes[:2]
    officer.post(f"{url}/themes/{first}/rename", data={"label": "Renamed by an officer"})
    moved = next(answer for theme, answer, _ in links if theme == second)
    officer.post(
        f"{url}/themes/{second}/answers", data={"answer": [str(moved)], "do": "move", "to": first}
    )
    before_themes, before_links, _ = curated_state(live)

    with live.app_context():
        session = get_session()
        consultation = session.get(Consultation, consultation_id)
        question = session.get(Question, question_id)
        parsed = {question.id: get_type_parse(question, "More buses to the hospital on Sundays")}
        late = services.submit_response(session, consultation, parsed, token="late", now=utcnow())
        late_id = late.answers[-1].id
        session.commit()

    rerun = officer.post(f"/manage/{consultation_id}/analysis")
    run_url = rerun.headers["Location"]
    run_id = int(run_url.rsplit("/", 1)[1])
    wait_for(officer, run_url, tmp_path)
    themes, links, known = curated_state(live)
    assert themes == before_themes  # the rename stands, no theme added or lost
    assert (first, moved, True) in links  # the officer's move stands
    assert set(before_links) <= set(links)
    assert str(late_id) in known
    assert len({(t, a) for t, a, _ in links}) == len(links)

    # A re-delivered task for the re-run: exactly the same curated set afterwards.
    with live.app_context():
        session = get_session()
        session.get(AnalysisRun, run_id).status = "running"
        session.commit()
        live.extensions["celery"].send_task("worker.tasks.run_analysis", args=[run_id])
    wait_for(officer, run_url, tmp_path)
    assert curated_state(live) == (themes, links, known)
    with live.app_context():
        actions = get_session().scalars(select(CurationEvent.action)).all()
    assert actions.count("rerun") == 1
    page = officer.get(url).get_data(as_text=True)
    assert "Renamed by an officer" in page

    # Approving a question too large to measure in the request: the real worker measures it.
    monkeypatch.setattr(evidence, "MEASURE_IN_REQUEST", 10)
    assert officer.post(f"{url}/approve", data={"typical_quotes": "yes"}).status_code == 303
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with live.app_context():
            session = get_session()
            row = session.scalars(
                select(TaskOutbox).where(TaskOutbox.task == evidence.MEASURE_TASK)
            ).one()
            done, measured = (
                row.done_at,
                evidence.measured(session.scalars(select(CuratedSet)).one()),
            )
            session.close()
        if done:
            break
        time.sleep(0.5)
    log = (tmp_path / "worker.log").read_text()[-3000:]
    assert done, log
    assert measured, log
    findings_page = officer.get(f"/findings/{consultation_id}").get_data(as_text=True)
    assert "These themes were reviewed by officers" in findings_page
    assert "still being worked out" not in findings_page
    assert "(most typical answers; not chosen by officers)" in findings_page
