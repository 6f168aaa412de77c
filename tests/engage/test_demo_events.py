"""The demo has a forum to sign up for, a past seminar to report on, a partner session open
for nomination and a cancelled workshop."""

from __future__ import annotations

from engage.demo import seed
from tests import factories


def test_demo_events(app, client, db, auth, monkeypatch):
    monkeypatch.setattr(seed.findings, "dispatch", lambda session, celery, runs: None)
    monkeypatch.setitem(app.config, "LOCALITIES", seed.load("partnership.json")["localities"])
    with app.app_context():
        message = seed.run()
    assert "a forum with 30 of 30 places taken and 1 waiting" in message
    listing = client.get("/events/").get_data(as_text=True)
    assert "Drumlee Local Community Planning Forum" in listing
    assert "Full: you can join the waiting list" in listing
    assert "JOG development session" not in listing  # partners only
    assert "the new LOIP" in listing  # its outcomes, under recent events
    assert "Harbour path workshop" in listing.partition('id="cancelled"')[2]
    assert "closed for repairs after the storm" in listing
    hub = client.get("/").get_data(as_text=True)
    assert "Feedback: Elected Members" not in hub  # the seminar's feedback survey is open
    auth.login(factories.user("jog", factories.organisation("police-demo", kind="police")))
    nominations = client.get("/events/nominations").get_data(as_text=True)
    assert "JOG development session: using the Residents&#39; Panel" in nominations
    auth.logout()
    auth.login(factories.user("officer"))
    manage = client.get("/manage/events/").get_data(as_text=True)
    assert "JOG development session" in manage
