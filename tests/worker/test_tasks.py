"""The tasks called directly, inside the test's rolled-back transaction (no broker)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from analysis import results
from engage.curation.runs import request_analysis
from engage.findings.models import AnalysisRun, QuestionAnalysis, Theme, ThemeAssignment
from surveys import services
from surveys.base import utcnow
from tests import factories
from tests.worker.corpus import ANSWERS
from worker import tasks


@pytest.fixture
def run(app, db):
    item = factories.consultation()
    free_text = item.questions[2]
    for text in ANSWERS:
        factories.response(item, {free_text.id: [text]})
    run = request_analysis(db, item, trigger="officer")
    db.flush()
    return run


def test_run_analysis_stores_themes_quotes_and_a_word_cloud(app, db, run):
    with app.app_context():
        tasks.run_analysis.run(run.id)
    db.expire_all()
    assert run.status == "succeeded"
    assert run.progress == 100
    assert run.finished_at
    qa = db.scalars(select(QuestionAnalysis).where(QuestionAnalysis.run_id == run.id)).one()
    assert qa.answer_count == len(ANSWERS)
    assert qa.word_cloud_png.startswith(b"\x89PNG")
    assert len(qa.themes) >= 2
    for theme in qa.themes:
        assert theme.label
        assert theme.terms
        assert theme.size > 0
        assert 0 < theme.share <= 1
        assert 1 <= len(theme.quote_answer_ids) <= 3
    labels = " ".join(t.label for t in qa.themes).lower()
    assert "bus" in labels or "buses" in labels
    assigned = db.scalar(select(func.count()).select_from(ThemeAssignment))
    assert assigned >= len(ANSWERS) // 2


def test_a_redelivered_task_leaves_one_result(app, db, run):
    with app.app_context():
        tasks.run_analysis.run(run.id)
        first = [(t.label, t.size) for t in db.scalars(select(Theme).order_by(Theme.id))]
        run.status = "running"  # as if the worker died before acknowledging
        db.flush()
        tasks.run_analysis.run(run.id)
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(QuestionAnalysis)) == 1
    assert [(t.label, t.size) for t in db.scalars(select(Theme).order_by(Theme.id))] == first
    assert run.attempts == 2


def test_a_finished_run_is_not_repeated(app, db, run):
    with app.app_context():
        tasks.run_analysis.run(run.id)
        tasks.run_analysis.run(run.id)
    db.expire_all()
    assert run.attempts == 1


def test_too_little_text_is_a_note_not_a_failure(app, db):
    item = factories.consultation()
    factories.response(item, {item.questions[2].id: ["no"]})
    run = request_analysis(db, item, trigger="officer")
    db.flush()
    with app.app_context():
        tasks.run_analysis.run(run.id)
    db.expire_all()
    assert run.status == "succeeded"
    assert run.questions[0].note


def test_the_embeddings_method_stores_the_same_kind_of_themes(
    app, db, run, monkeypatch, embedding_model_path
):
    monkeypatch.setitem(app.config, "ANALYSIS_METHOD", "embeddings")
    monkeypatch.setitem(app.config, "EMBEDDING_MODEL", embedding_model_path)
    with app.app_context():
        tasks.run_analysis.run(run.id)
    db.expire_all()
    assert run.status == "succeeded"
    qa = db.scalars(select(QuestionAnalysis).where(QuestionAnalysis.run_id == run.id)).one()
    assert qa.method == "embeddings-kmeans"
    assert qa.note is None
    assert qa.word_cloud_png.startswith(b"\x89PNG")
    assert len(qa.themes) >= 2
    for theme in qa.themes:
        assert theme.label
        assert theme.terms
        assert theme.size > 0
        assert 1 <= len(theme.quote_answer_ids) <= 3
    labels = " ".join(t.label for t in qa.themes).lower()
    assert "bus" in labels


def test_without_the_model_the_worker_falls_back_to_tfidf_and_says_so(
    app, db, run, monkeypatch, tmp_path
):
    monkeypatch.setitem(app.config, "ANALYSIS_METHOD", "embeddings")
    monkeypatch.setitem(app.config, "EMBEDDING_MODEL", str(tmp_path))  # holds no model
    with app.app_context():
        tasks.run_analysis.run(run.id)
    db.expire_all()
    assert run.status == "succeeded"
    qa = run.questions[0]
    assert qa.method == "tfidf-nmf"
    assert len(qa.themes) >= 2
    assert "found from word counts" in qa.note
    assert str(tmp_path) not in qa.note  # server folders stay in the log


def test_an_unexpected_error_marks_the_run_failed(app, db, run, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(results, "find_themes", explode)
    with app.app_context(), pytest.raises(RuntimeError):
        tasks.run_analysis.run(run.id)
    db.expire_all()
    assert run.status == "failed"
    assert "stopped unexpectedly" in run.error


def test_tick_closes_due_consultations_and_sends_their_analysis(app, db, monkeypatch):
    due = factories.consultation(closes_at=utcnow() - timedelta(minutes=1))
    still_open = factories.consultation()
    sent = []
    monkeypatch.setitem(
        app.extensions,
        "celery",
        SimpleNamespace(
            send_task=lambda name, args, **kw: sent.append(args) or SimpleNamespace(id="x")
        ),
    )
    with app.app_context():
        outcome = tasks.tick.run()
    db.expire_all()
    assert due.status == "closed"
    assert still_open.status == "open"
    run = db.scalars(select(AnalysisRun).where(AnalysisRun.consultation_id == due.id)).one()
    assert run.trigger == "closing"
    assert [run.id] in sent
    assert outcome["closed"] == 1


def test_tick_purges_expired_drafts_and_sends_the_outbox(app, db, tmp_path, monkeypatch):
    from engage import mail
    from surveys import drafts
    from surveys.models import Draft

    gone = factories.consultation(closes_at=utcnow() - timedelta(minutes=1))
    kept = factories.consultation()
    for item in (gone, kept):
        drafts.save(
            db,
            item,
            None,
            token=drafts.new_token(),
            values={},
            path=[],
            now=utcnow() - timedelta(hours=1),
        ).code_hash = drafts.hash_code(drafts.new_code())
    mail.queue_email(db, to="sam@example.org", subject="Saved answers", body="A link")
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    with app.app_context():
        outcome = tasks.tick.run()
    assert outcome["drafts_purged"] == 1
    assert outcome["emails"] == 1
    assert [d.consultation_id for d in db.scalars(select(Draft))] == [kept.id]
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1


def test_a_run_fans_out_one_task_per_question_and_finishes_with_the_last(app, db, monkeypatch):
    item = factories.consultation()
    second = services.add_question(db, item, type="long_text", title="Anything else?")
    for text in ANSWERS[:20]:
        q1, _q2, q3 = item.questions[:3]
        factories.response(item, {q1.id: ["o1"], q3.id: [text], second.id: [text]})
    run = request_analysis(db, item, trigger="officer")
    sent = []
    monkeypatch.setitem(app.config, "ANALYSIS_FAN_OUT", True)
    monkeypatch.setitem(
        app.extensions,
        "celery",
        SimpleNamespace(
            send_task=lambda name, args, **kw: sent.append((name, args)) or SimpleNamespace(id="x")
        ),
    )
    with app.app_context():
        tasks.run_analysis.run(run.id)
        assert sent == [
            ("worker.tasks.analyse_question", [run.id, q3.id]),
            ("worker.tasks.analyse_question", [run.id, second.id]),
        ]
        db.expire_all()
        assert run.status == "running"
        tasks.analyse_question.run(run.id, second.id)
        db.expire_all()
        assert (run.status, run.progress) == ("running", 50)
        assert run.message == "Themes found in 1 of 2 questions"
        tasks.analyse_question.run(run.id, q3.id)
        tasks.analyse_question.run(run.id, q3.id)  # re-delivered: replaces, never duplicates
    db.expire_all()
    assert run.status == "succeeded"
    stored = db.scalars(select(QuestionAnalysis).where(QuestionAnalysis.run_id == run.id)).all()
    assert sorted(qa.question_id for qa in stored) == sorted([q3.id, second.id])
    # Every theme gets a word cloud of its own answers.
    themes = db.scalars(select(Theme).where(Theme.question_analysis_id == stored[0].id)).all()
    assert themes
    assert all(t.word_cloud_png.startswith(b"\x89PNG") for t in themes)


def test_the_run_page_is_told_each_step_of_a_question(app, db, run, monkeypatch):
    told = []
    step = tasks.findings.question_step

    def recorded(session, run_id, title, words):
        step(session, run_id, title, words)
        told.append(session.get(AnalysisRun, run_id).message)

    monkeypatch.setattr(tasks.findings, "question_step", recorded)
    with app.app_context():
        tasks.run_analysis.run(run.id)
    assert told[0].startswith("Themes found in 0 of 1 questions. “")
    assert any(
        "reading what" in message and "different answers mean" in message for message in told
    )
    assert any(
        "naming" in message and "themes and choosing their quotes" in message for message in told
    )
    assert told[-1].endswith("drawing the word clouds.")
    db.expire_all()
    assert run.status == "succeeded"
    assert run.message != told[-1]  # once done, the run says so
