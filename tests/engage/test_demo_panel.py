"""The demo has a Residents' Panel an officer can balance, invite, remind and report on."""

from __future__ import annotations

from sqlalchemy import func, select

from engage.accounts.models import User
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


def test_demo_sent_its_we_asked_you_said_we_did_to_the_panel(app, client, db, auth, monkeypatch):
    from engage import newsletters
    from engage.mail import OutboxEmail
    from engage.panel.models import PanelNewsletter
    from surveys.models import Consultation

    monkeypatch.setattr(seed.findings, "dispatch", lambda session, celery, runs: None)
    monkeypatch.setitem(app.config, "LOCALITIES", seed.load("partnership.json")["localities"])
    with app.app_context():
        message = seed.run()
    item = db.scalar(select(Consultation).where(Consultation.slug == "what-matters-most"))
    sent = db.scalar(select(PanelNewsletter).where(PanelNewsletter.consultation_id == item.id))
    assert sent is not None
    assert sent.sent_at is not None
    assert f"sent to {sent.recipients} panel members" in message
    # Sent as the real service sends it: one email to each member who wants newsletters.
    wanted = newsletters.recipients(db, sent)
    assert sent.recipients == len(wanted) > 100
    subject = f"Residents' Panel newsletter: {sent.title}"
    to = set(db.scalars(select(OutboxEmail.to).where(OutboxEmail.subject == subject)))
    assert to == {m.email for m in wanted}
    assert sent.created_by_id is not None  # started by the demo's officer

    # In the public archive, with "You said" carrying the themes the officer chose.
    archive = client.get("/panel/newsletters").get_data(as_text=True)
    assert "We asked, you said, we did: What matters most" in archive
    page = client.get(f"/panel/newsletters/{sent.id}").get_data(as_text=True)
    assert item.you_said.split(":")[0] in page  # the drafted "You said", as published
    chosen = [theme["label"] for theme in sent.sections[1]["themes"]]
    assert chosen
    for label in chosen:
        assert label.replace("'", "&#39;") in page
    assert "/consultations/what-matters-most" in page

    # The results page tells its officer the results have gone to the panel.
    officer = db.scalar(select(User).where(User.email == "officer@craigmuir.example.org"))
    auth.login(officer, seed.DEMO_PASSWORD)
    results = client.get(f"/manage/{item.id}/results").get_data(as_text=True)
    assert f"These results were sent to {sent.recipients} panel members on" in results
