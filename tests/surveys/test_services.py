from __future__ import annotations

from datetime import timedelta

import pytest

from surveys import services
from surveys.base import utcnow
from surveys.errors import ConsultationNotOpen, SurveyError
from tests import factories


def test_slugs_are_unique_and_readable(db):
    first = factories.consultation(title="Bus Services – Drumlee & Kirkton")
    second = factories.consultation(title="Bus services: Drumlee & Kirkton")
    assert first.slug == "bus-services-drumlee-kirkton"
    assert second.slug == "bus-services-drumlee-kirkton-2"


def test_closing_date_must_follow_opening_date(db):
    now = utcnow()
    with pytest.raises(SurveyError, match="closing date must be after"):
        services.create_consultation(
            db,
            title="x",
            summary="",
            organisation_id=1,
            opens_at=now,
            closes_at=now - timedelta(days=1),
        )


def test_opening_in_the_future_schedules_and_the_tick_opens_then_closes(db):
    now = utcnow()
    item = factories.consultation(
        status="draft", opens_at=now + timedelta(days=2), closes_at=now + timedelta(days=9)
    )
    services.open_consultation(db, item, now=now)
    assert item.status == "scheduled"
    assert services.apply_due_dates(db, now=now + timedelta(days=1)) == []
    assert item.status == "scheduled"
    services.apply_due_dates(db, now=now + timedelta(days=3))
    assert item.status == "open"
    closed = services.apply_due_dates(db, now=now + timedelta(days=10))
    assert closed == [item]
    assert item.status == "closed"


def test_responses_only_while_open(db):
    item = factories.consultation(status="draft")
    with pytest.raises(ConsultationNotOpen):
        services.submit_response(db, item, {}, token="t" * 30, now=utcnow())


def test_same_token_returns_the_stored_response(db):
    item = factories.consultation()
    first = services.submit_response(db, item, {}, token="a" * 30, now=utcnow())
    again = services.submit_response(db, item, {}, token="a" * 30, now=utcnow())
    assert first.id == again.id
    assert services.response_count(db, item.id) == 1


def test_choice_counts_follow_option_order(db):
    item = factories.consultation()
    q1, q2, q3 = item.questions
    for choice, many in (("o1", ["o1", "o2"]), ("o3", ["o2"]), ("o1", [])):
        factories.response(item, {q1.id: [choice], q2.id: many})
    assert services.choice_counts(db, q1) == [("Satisfied", 2), ("Neither", 0), ("Dissatisfied", 1)]
    assert services.choice_counts(db, q2) == [("Buses", 1), ("Libraries", 2), ("Parks", 0)]


def test_free_text_answers_for_analysis(db):
    item = factories.consultation()
    q3 = item.questions[2]
    factories.response(item, {q3.id: ["More buses"]})
    factories.response(item, {q3.id: [""]})
    assert [text for _, text in services.free_text_answers(db, q3.id)] == ["More buses"]
