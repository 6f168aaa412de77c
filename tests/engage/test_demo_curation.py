"""The demo's closed consultation is analysed and curated by the seed, so the curation page, the
priority board and "We asked, you said, we did" have something to show at first start."""

from __future__ import annotations

from sqlalchemy import select

from engage.curation import board
from engage.curation.models import CuratedSet, CurationEvent
from engage.demo import curation, seed
from engage.findings.models import AnalysisRun, RunStatus
from tests import factories


def test_the_seed_analyses_and_curates_the_closed_consultation(app, client, auth, db, monkeypatch):
    sent = []
    monkeypatch.setattr(seed.findings, "dispatch", lambda session, celery, runs: sent.extend(runs))
    with app.app_context():
        seed.run()
    assert sent == [], "nothing is left for the worker"
    assert [r.status for r in db.scalars(select(AnalysisRun))] == [RunStatus.SUCCEEDED]
    sets = list(db.scalars(select(CuratedSet)))
    assert sets
    assert all(item.approved_at is not None for item in sets)
    actions = {e.action for e in db.scalars(select(CurationEvent))}
    assert {"start", "rename", "merge", "move", "quote", "priority", "approve"} <= actions

    for item in sets:  # the officer never gives two themes of one question the same name
        labels = [theme.label.lower() for theme in item.themes]
        assert len(labels) == len(set(labels)), labels

    rows, emerging = board.board(db)
    assert sum(1 for row in rows if row.evidence) >= 2
    assert emerging

    page = client.get("/consultations/what-matters-most").get_data(as_text=True)
    published = [t for item in sets for t in item.themes if t.published]
    assert published
    assert published[0].label in page

    auth.login(factories.user(role="jog"))
    board_page = client.get("/curation/board").get_data(as_text=True)
    assert "What matters most" in board_page


def test_the_demo_officer_names_a_theme_after_what_its_answers_say():
    gp = [
        "Not being able to see a doctor",
        "Waiting three weeks for a GP appointment",
        "No dentist taking NHS patients",
    ]
    mixed = ["Litter", "public transport", "NHS waiting lists", "Police never about", "A dentist"]
    mixed += ["Flooding", "Climate change", "Services centralised", "Rubbish on the beach"]

    assert curation.officers_name(gp)[1] == "Getting a GP or hospital appointment"
    # One answer in nine about the dentist does not make a mixed theme about appointments.
    assert curation.officers_name(mixed) is None
    # Whole words: businesses are not buses, being scared is not care.
    assert (
        curation.officers_name(["Businesses going under", "Scared to go out", "Broadband"]) is None
    )
