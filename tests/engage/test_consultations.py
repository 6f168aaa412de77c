from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from engage.findings import services as findings
from engage.findings.models import AnalysisRun
from surveys.models import Consultation, Response
from tests import factories


@pytest.fixture
def officer(db):
    return factories.user("officer")


@pytest.fixture
def sent(app, monkeypatch):
    """Record what goes to the broker instead of sending it."""
    calls = []

    def send_task(name, args=(), **kwargs):
        calls.append((name, args))
        return SimpleNamespace(id=f"task-{len(calls)}")

    monkeypatch.setitem(app.extensions, "celery", SimpleNamespace(send_task=send_task))
    return calls


def run_dispatcher(app):
    """What beat does every few seconds: publish the outbox and queued runs and reports."""
    from worker import tasks

    with app.app_context():
        return tasks.dispatch.run()


def create(client, **overrides):
    data = {
        "title": "Greenspace in Drumlee",
        "summary": "Tell us about parks.",
        "organisation_id": overrides.pop("organisation_id"),
        "opens": ["", "", ""],
        "closes": ["1", "12", "2030"],
        **overrides,
    }
    return client.post("/manage/new", data=data)


def test_officer_creates_adds_questions_previews_and_opens(client, auth, db, officer):
    auth.login(officer)
    response = create(client, organisation_id=officer.organisation_id)
    assert response.status_code == 302
    item = db.scalars(
        select(Consultation).where(Consultation.title == "Greenspace in Drumlee")
    ).one()
    url = f"/manage/{item.id}"
    for data in (
        {
            "type": "single_choice",
            "title": "Do you use the park?",
            "required": "yes",
            "options": "Often\nSometimes\nNever",
        },
        {
            "type": "multiple_choice",
            "title": "What would help?",
            "required": "no",
            "options": "Benches\nToilets\nLighting",
            "max_choices": "2",
        },
        {"type": "long_text", "title": "Anything else?", "required": "no"},
    ):
        assert client.post(f"{url}/questions/new", data=data).status_code == 302
    db.expire_all()
    assert [q.type for q in item.questions] == ["single_choice", "multiple_choice", "long_text"]

    preview = client.get(f"{url}/preview").get_data(as_text=True)
    assert "Preview" in preview
    assert "Do you use the park?" in preview
    checked = client.post(f"{url}/preview/1", data={f"q{item.questions[0].id}": "o1"})
    assert "Check your answers" in checked.get_data(as_text=True)
    assert "Nothing you enter here is stored" in checked.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Response)) == 0

    assert client.post(f"{url}/open").status_code == 302
    db.expire_all()
    assert item.status == "open"
    assert item.title in client.get("/").get_data(as_text=True)


def test_bad_consultation_details_are_explained_and_kept(client, auth, db, officer):
    auth.login(officer)
    response = create(
        client,
        organisation_id=officer.organisation_id,
        title="Kept title",
        opens=["1", "12", "2030"],
        closes=["31", "2", "2030"],
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<title>Error:" in page
    assert "The closing date must be a real date" in page
    assert 'href="#closes-day"' in page
    assert "Kept title" in page


def test_choice_question_needs_two_options(client, auth, db, officer):
    auth.login(officer)
    item = factories.consultation(officer.organisation, status="draft", questions=False)
    response = client.post(
        f"/manage/{item.id}/questions/new",
        data={"type": "single_choice", "title": "Pick", "options": "Only one"},
    )
    assert response.status_code == 400
    assert "Give at least two different options" in response.get_data(as_text=True)
    assert "Pick" in response.get_data(as_text=True)


def test_cannot_open_without_questions(client, auth, db, officer):
    auth.login(officer)
    item = factories.consultation(officer.organisation, status="draft", questions=False)
    client.post(f"/manage/{item.id}/open")
    db.expire_all()
    assert item.status == "draft"
    page = client.get(f"/manage/{item.id}").get_data(as_text=True)
    assert "Add at least one question before opening" in page


def test_officer_of_another_partner_gets_403(client, auth, db, officer):
    other = factories.consultation(factories.organisation())
    auth.login(officer)
    assert client.get(f"/manage/{other.id}").status_code == 403
    assert client.post(f"/manage/{other.id}/close").status_code == 403
    assert other.title not in client.get("/manage/").get_data(as_text=True)


def test_co_owning_partner_officer_can_manage(client, auth, db, officer):
    item = factories.consultation(factories.organisation())
    item.co_owners.append(officer.organisation)
    db.flush()
    auth.login(officer)
    assert client.get(f"/manage/{item.id}").status_code == 200


def test_jog_and_resident_cannot_reach_officer_pages(client, auth, db):
    for role in ("jog", "resident", "panel_member"):
        auth.login(factories.user(role))
        assert client.get("/manage/").status_code == 403
        auth.logout()
    assert client.get("/manage/").status_code == 302  # anonymous: sent to sign in


def test_asking_for_analysis_records_a_run_and_sends_its_id(client, auth, db, officer, sent):
    item = factories.consultation(officer.organisation)
    factories.response(item, {item.questions[2].id: ["Fix the potholes"]})
    auth.login(officer)
    response = client.post(f"/manage/{item.id}/analysis")
    run = db.scalars(select(AnalysisRun).where(AnalysisRun.consultation_id == item.id)).one()
    assert response.headers["Location"].endswith(f"/manage/runs/{run.id}")
    assert sent == []  # the request never talks to the broker
    assert run.dispatched_at is None
    assert run_dispatcher(client.application) == 1
    db.expire_all()
    assert sent == [("worker.tasks.run_analysis", [run.id])]
    assert run.status == "queued"
    assert run.dispatched_at is not None
    page = client.get(f"/manage/runs/{run.id}").get_data(as_text=True)
    assert 'aria-live="polite"' in page
    assert "Waiting for a worker" in page
    assert client.get(f"/manage/runs/{run.id}.json").json["status"] == "queued"


def test_closing_starts_analysis(client, auth, db, officer, sent):
    item = factories.consultation(officer.organisation)
    auth.login(officer)
    client.post(f"/manage/{item.id}/close")
    db.expire_all()
    assert item.status == "closed"
    run = db.scalars(select(AnalysisRun).where(AnalysisRun.consultation_id == item.id)).one()
    assert run.trigger == "closing"
    assert sent == []
    run_dispatcher(client.application)
    assert sent == [("worker.tasks.run_analysis", [run.id])]


def test_a_refusing_broker_leaves_the_run_queued_for_the_next_dispatch(
    app, client, auth, db, officer, monkeypatch
):
    def refuse(name, args=(), **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setitem(app.extensions, "celery", SimpleNamespace(send_task=refuse))
    item = factories.consultation(officer.organisation)
    auth.login(officer)
    assert client.post(f"/manage/{item.id}/analysis").status_code == 303
    assert run_dispatcher(app) == 0
    run = db.scalars(select(AnalysisRun).where(AnalysisRun.consultation_id == item.id)).one()
    assert run.dispatched_at is None
    assert findings.undispatched_runs(db) == [run]
