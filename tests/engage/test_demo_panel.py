"""The demo has a Residents' Panel an officer can balance, invite, remind and report on."""

from __future__ import annotations

from sqlalchemy import func, select

from engage.demo import seed
from engage.panel.models import PanelExercise, PanelMember
from tests import factories


def test_demo_panel_has_members_an_exercise_with_answers_and_a_newsletter(
    app, client, db, auth, monkeypatch
):
    monkeypatch.setattr(seed.findings, "dispatch", lambda session, celery, runs: None)
    monkeypatch.setitem(app.config, "LOCALITIES", seed.load("partnership.json")["localities"])
    with app.app_context():
        message = seed.run()
    assert "Residents' Panel (150 members" in message
    assert db.scalar(select(func.count()).select_from(PanelMember)) == 150
    auth.login(factories.user("officer"))
    exercises = client.get("/manage/panel/exercises").get_data(as_text=True)
    assert "Panel: autumn check-in" in exercises
    sent = db.scalar(select(PanelExercise.id).where(PanelExercise.status == "sent"))
    page = client.get(f"/manage/panel/exercises/{sent}").get_data(as_text=True)
    assert "of 100</strong> invited members have answered" in page
    assert "Drumlee" in page
    balance = client.get("/manage/panel/balance").get_data(as_text=True)
    assert "16 to 24" in balance.split('id="gaps"')[1].split("</ul>")[0]
    assert "Spring newsletter" in client.get("/panel/newsletters").get_data(as_text=True)
