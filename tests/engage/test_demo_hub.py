"""The demo partnership shows the hub's features: topics, areas, documents and published results."""

from __future__ import annotations

from sqlalchemy import func, select

from engage.curation import services as curation
from engage.curation import we_asked
from engage.curation.models import CuratedAssignment, CuratedSet, CuratedTheme
from engage.demo import seed
from surveys.models import Answer, Consultation


def test_demo_closed_consultation_has_published_results(app, client, db, monkeypatch):
    monkeypatch.setattr(seed.findings, "dispatch", lambda session, celery, runs: None)
    with app.app_context():
        seed.run()
    page = client.get("/consultations/what-matters-most").get_data(as_text=True)
    assert "We asked, you said, we did" in page
    # "You said" is drafted from the approved themes, largest first, with true counts.
    item = db.scalars(select(Consultation).where(Consultation.slug == "what-matters-most")).one()
    themes = we_asked.said(db, item.id)
    top, second = themes[0], themes[1]
    assert top.people > second.people, "the demo's largest theme is larger than the next"
    lead = f"{top.label} came up more than anything else: {top.people} people"
    assert lead in page
    assert lead in item.you_said
    # The count is the database's: distinct responses with an answer in that theme.
    people = db.scalar(
        select(func.count(func.distinct(Answer.response_id)))
        .join(CuratedAssignment, CuratedAssignment.answer_id == Answer.id)
        .join(CuratedTheme, CuratedTheme.id == CuratedAssignment.theme_id)
        .join(CuratedSet, CuratedSet.id == CuratedTheme.set_id)
        .where(CuratedSet.consultation_id == item.id, CuratedTheme.label == top.label)
    )
    assert people == top.people
    said = item.you_said
    positions = [said.index(t.label[1:]) for t in themes if t.label[1:] in said]
    assert positions == sorted(positions), "in size order"
    assert "five priorities" not in item.we_did
    published = [
        theme.label for theme, _, _ in curation.publishable(db, item.id, published_only=True)
    ]
    assert published, "themes are shown under You said"
    assert all(label in page for label in published)
    # The card under "You said" counts the same people as the sentence above it.
    cards = {t.label: n for t, n, _ in curation.publishable(db, item.id, published_only=True)}
    assert cards[top.label] == top.people
    assert f"Raised by {top.people} people." in page
    assert len(cards) == len(set(cards)), "a name is shown once"
    assert "Who took part, by area" in page
    hub = client.get("/?topic=health").get_data(as_text=True)
    assert "Getting to health appointments" in hub
    assert "What matters most" not in hub
