"""The demo's closed consultation is analysed and curated by the seed, so the curation page, the
priority board and "We asked, you said, we did" have something to show at first start."""

from __future__ import annotations

from sqlalchemy import select

from engage.curation import board
from engage.curation.models import CuratedSet, CurationEvent
from engage.demo import seed
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
