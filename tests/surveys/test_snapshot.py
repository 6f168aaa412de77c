"""The per-process snapshot of a survey, and the version that says whether it is current."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update

from surveys import builder, snapshot
from surveys.models import Consultation, Page, Question
from tests import factories


def version(db, item) -> str | None:
    return db.scalar(select(Consultation.survey_version).where(Consultation.id == item.id))


@pytest.fixture
def survey(db):
    item = factories.consultation(status="draft", questions=False)
    second = builder.add_page(db, item, title="Your area")
    drive = builder.add_question(
        db,
        item,
        page=item.pages[0],
        type="single_choice",
        title="Do you drive?",
        options=["Yes", "No"],
    )
    builder.add_question(db, item, page=second, type="long_text", title="Roads?")
    builder.add_question(db, item, page=item.pages[0], type="short_text", title="Street")
    builder.set_routes(db, item, drive, {"o1": "next", "o2": "end"})
    return item


def test_every_builder_edit_gives_the_survey_a_new_version(db, survey):
    item = survey
    page, second = item.pages
    question = item.questions[0]
    edits = [
        lambda: builder.update_page(db, page, title="About you", intro="A few questions"),
        lambda: builder.add_page(db, item, title="Last"),
        lambda: builder.move_page(db, item, item.pages[-1], -1),
        lambda: builder.update_question(db, item, question, title="Do you drive a car?"),
        lambda: builder.add_question(db, item, page=second, type="short_text", title="Town"),
        lambda: builder.move_question_to_page(db, item, item.questions[-1], page),
        lambda: builder.set_condition(db, item, item.questions[-1], question.id, ["o1"]),
        lambda: builder.remove_question(db, item, item.questions[-1]),
        lambda: builder.delete_page(db, item, next(p for p in item.pages if p.title == "Last")),
    ]
    seen = {version(db, item)}
    assert None not in seen
    for edit in edits:
        edit()
        db.flush()
        now = version(db, item)
        assert now not in seen, edit
        seen.add(now)


def test_sql_that_bypasses_the_models_changes_the_version_too(db, survey):
    """Triggers, not application code, keep the version: a console or a migration counts."""
    item = survey
    before = version(db, item)
    questions = Question.__table__
    db.execute(
        update(questions).where(questions.c.consultation_id == item.id).values(hint="Be brief")
    )
    assert version(db, item) != before
    before = version(db, item)
    db.execute(text("DELETE FROM questions WHERE id = :id"), {"id": item.questions[-1].id})
    assert version(db, item) != before
    other = factories.consultation(status="draft", questions=False)
    untouched = version(db, other)
    before = version(db, item)
    pages = Page.__table__
    db.execute(update(pages).where(pages.c.consultation_id == item.id).values(intro="Hello"))
    assert version(db, item) != before
    assert version(db, other) == untouched  # only the edited consultation's survey changes


def test_the_snapshot_reads_as_the_models_do(db, survey):
    snapshot.forget()
    item = survey
    db.flush()
    db.expire_all()
    row = db.get(Consultation, item.id)
    kept = snapshot.survey(db, row, version(db, item))
    assert [p.id for p in kept.pages] == [p.id for p in row.pages]
    for mine, theirs in zip(kept.pages, row.pages, strict=True):
        for name in ("id", "consultation_id", "position", "title", "intro"):
            assert getattr(mine, name) == getattr(theirs, name)
        assert [q.id for q in mine.questions] == [q.id for q in theirs.questions]
    assert [q.id for q in kept.questions] == [q.id for q in row.questions]
    for mine, theirs in zip(kept.questions, row.questions, strict=True):
        for name in snapshot.QUESTION_COLUMNS:
            assert getattr(mine, name) == getattr(theirs, name), name
        assert mine.page.id == theirs.page.id
        assert mine.field_name == theirs.field_name
        assert mine.option_label("o1") == theirs.option_label("o1")
    assert kept.title == row.title  # the row's own columns
    assert kept.status == row.status
    with pytest.raises(AttributeError):
        kept.questions[0].title = "Changed"  # shared between requests: read only


def test_a_kept_survey_serves_only_its_own_version(db, survey):
    snapshot.forget()
    item = survey
    row = db.get(Consultation, item.id)
    first = snapshot.survey(db, row, version(db, item))
    assert snapshot.survey(db, row, version(db, item)).questions is first.questions
    builder.update_question(db, item, item.questions[0], title="Do you drive a car?")
    db.flush()
    edited = snapshot.survey(db, row, version(db, item))
    assert edited.questions is not first.questions
    assert edited.questions[0].title == "Do you drive a car?"
    # A version nobody has read (a row written by SQL without one) is never kept.
    unversioned = snapshot.survey(db, row, None)
    assert snapshot.survey(db, row, None).questions is not unversioned.questions
