"""Codebook runs called directly, inside the test's rolled-back transaction (no broker)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engage.codebooks import services as codebooks
from engage.codebooks.models import Codebook
from engage.curation.runs import request_analysis
from engage.findings.models import QuestionAnalysis, Theme, ThemeAssignment
from tests import factories
from tests.worker.corpus import ANSWERS
from worker import tasks

THEMES = [
    {
        "id": "transport",
        "label": "Public transport",
        "description": "Buses, bus fares, timetables and routes",
        "examples": ["More buses to the hospital", "Bus fares are too dear", "Buses are late"],
    },
    {
        "id": "roads",
        "label": "Roads and pavements",
        "description": "Potholes, road repairs and broken pavements",
        "examples": ["Fix the potholes", "The roads need resurfacing", "Pavements are broken"],
    },
]


@pytest.fixture
def codebook_run(app, db):
    item = factories.consultation()
    free_text = item.questions[2]
    for text in ANSWERS:
        factories.response(item, {free_text.id: [text]})
    codebook = codebooks.create(
        db, name="Transport priorities", organisation_id=item.organisation_id, themes=THEMES
    )
    run = request_analysis(db, item, trigger="officer", params=codebooks.run_params(codebook))
    db.flush()
    return run


def stored(db, run):
    return db.scalars(select(QuestionAnalysis).where(QuestionAnalysis.run_id == run.id)).one()


def test_a_codebook_run_stores_codebook_themes_first_then_proposed_ones(app, db, codebook_run):
    with app.app_context():
        tasks.run_analysis.run(codebook_run.id)
    db.expire_all()
    assert codebook_run.status == "succeeded"
    qa = stored(db, codebook_run)
    assert qa.method.startswith("codebook")
    kinds = [(t.key, t.kind) for t in qa.themes]
    assert kinds[:2] == [("transport", "codebook"), ("roads", "codebook")]
    transport, roads = qa.themes[:2]
    assert transport.label == "Public transport"
    assert transport.size >= 8
    assert roads.size >= 6
    assert "bus" in " ".join(transport.terms).lower()
    assert transport.sentiment["label"]
    assert 1 <= len(transport.quote_answer_ids) <= 3
    # The youth club answers fit neither codebook theme: they are proposed as a new theme.
    proposed = [t for t in qa.themes if t.kind == "proposed"]
    assert proposed
    assert any("youth" in (t.label + " ".join(t.terms)).lower() for t in proposed)
    # "No" and "N/A" answers are the no-comment group, with quotes.
    assert qa.no_comment >= 1
    assert 1 <= len(qa.no_comment_quote_ids) <= 3


def test_rerunning_a_codebook_run_leaves_one_result(app, db, codebook_run):
    with app.app_context():
        tasks.run_analysis.run(codebook_run.id)
        first = [(t.key, t.kind, t.size) for t in db.scalars(select(Theme).order_by(Theme.id))]
        codebook_run.status = "running"  # as if the worker died before acknowledging
        db.flush()
        tasks.run_analysis.run(codebook_run.id)
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(QuestionAnalysis)) == 1
    assert [(t.key, t.kind, t.size) for t in db.scalars(select(Theme).order_by(Theme.id))] == first
    pairs = db.execute(select(ThemeAssignment.theme_id, ThemeAssignment.answer_id)).all()
    assert len(pairs) == len(set(pairs))


def test_editing_the_codebook_later_does_not_change_a_queued_run(app, db, codebook_run):
    codebook = db.get(Codebook, codebook_run.params["codebook_id"])
    codebooks.change_theme(codebook, 0, label="Renamed", description="", examples=[])
    db.flush()
    with app.app_context():
        tasks.run_analysis.run(codebook_run.id)
    db.expire_all()
    labels = [t.label for t in stored(db, codebook_run).themes if t.kind == "codebook"]
    assert labels == ["Public transport", "Roads and pavements"]


def test_a_free_run_quotes_the_no_comment_group(app, db):
    item = factories.consultation()
    for text in ANSWERS:
        factories.response(item, {item.questions[2].id: [text]})
    run = request_analysis(db, item, trigger="officer")
    db.flush()
    with app.app_context():
        tasks.run_analysis.run(run.id)
    db.expire_all()
    qa = stored(db, run)
    assert all(t.kind == "found" for t in qa.themes)
    assert qa.no_comment >= 1
    assert len(qa.no_comment_quote_ids) >= 1


def test_the_embeddings_method_blends_meaning_into_codebook_mapping(
    app, db, codebook_run, monkeypatch, embedding_model_path
):
    monkeypatch.setitem(app.config, "ANALYSIS_METHOD", "embeddings")
    monkeypatch.setitem(app.config, "EMBEDDING_MODEL", embedding_model_path)
    with app.app_context():
        tasks.run_analysis.run(codebook_run.id)
    db.expire_all()
    qa = stored(db, codebook_run)
    assert codebook_run.status == "succeeded"
    assert qa.method == "codebook-tfidf-logreg-embeddings"
    assert qa.note is None
    assert [t.key for t in qa.themes if t.kind == "codebook"] == ["transport", "roads"]


def test_without_the_model_codebook_mapping_falls_back_to_words_and_says_so(
    app, db, codebook_run, monkeypatch, tmp_path
):
    monkeypatch.setitem(app.config, "ANALYSIS_METHOD", "embeddings")
    monkeypatch.setitem(app.config, "EMBEDDING_MODEL", str(tmp_path))  # holds no model
    with app.app_context():
        tasks.run_analysis.run(codebook_run.id)
    db.expire_all()
    qa = stored(db, codebook_run)
    assert codebook_run.status == "succeeded"
    assert qa.method == "codebook-tfidf-logreg"
    assert "word counts" in qa.note
    assert str(tmp_path) not in qa.note
    assert [t.key for t in qa.themes if t.kind == "codebook"] == ["transport", "roads"]
