"""The demo partnership shows the hub's features: topics, areas, documents and published results."""

from __future__ import annotations

from engage.demo import seed


def test_demo_closed_consultation_has_published_results(app, client, db, monkeypatch):
    monkeypatch.setattr(seed.findings, "dispatch", lambda session, celery, runs: None)
    with app.app_context():
        seed.run()
    page = client.get("/consultations/what-matters-most").get_data(as_text=True)
    assert "We asked, you said, we did" in page
    assert "Buses came up more than anything else" in page
    assert "Who took part, by area" in page
    hub = client.get("/?topic=health").get_data(as_text=True)
    assert "Getting to health appointments" in hub
    assert "What matters most" not in hub
