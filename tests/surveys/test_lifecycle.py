"""Lifecycle rules: details, publishing results, archiving, copying with routing remapped."""

from __future__ import annotations

from datetime import timedelta

import pytest

from surveys import lifecycle, services
from surveys.base import utcnow
from surveys.errors import SurveyError
from surveys.models import ConsultationStatus
from tests import factories

RESULTS = {"we_asked": "How are the buses?", "you_said": "Too few.", "we_did": "More buses."}


def test_results_can_only_be_published_once_closed(db):
    for status in ("draft", "scheduled", "open", "archived"):
        item = factories.consultation(status=status)
        with pytest.raises(SurveyError, match="once the consultation has closed"):
            lifecycle.publish_results(db, item, **RESULTS, now=utcnow())
        assert item.published_at is None
        assert item.status == status


def test_publishing_results_then_editing_keeps_the_first_date(db):
    item = factories.consultation(status="closed")
    first = utcnow() - timedelta(days=3)
    lifecycle.publish_results(db, item, **RESULTS, now=first)
    assert item.status == ConsultationStatus.PUBLISHED
    assert lifecycle.has_results(item)
    lifecycle.publish_results(db, item, **{**RESULTS, "we_did": "Two new routes."}, now=utcnow())
    assert item.we_did == "Two new routes."
    assert item.published_at == first


def test_results_need_all_three_parts(db):
    item = factories.consultation(status="closed")
    with pytest.raises(SurveyError, match="‘You said’"):
        lifecycle.publish_results(db, item, **{**RESULTS, "you_said": "  "}, now=utcnow())
    assert item.status == ConsultationStatus.CLOSED


def test_archive_rules(db):
    for status in ("draft", "scheduled", "open", "archived"):
        item = factories.consultation(status=status)
        with pytest.raises(SurveyError, match="Only a closed consultation"):
            lifecycle.archive(db, item, now=utcnow())
    closed = factories.consultation(status="closed")
    lifecycle.archive(db, closed, now=utcnow())
    assert closed.status == ConsultationStatus.ARCHIVED
    assert closed.archived_at is not None
    assert not lifecycle.has_results(closed)

    published = factories.consultation(status="closed")
    lifecycle.publish_results(db, published, **RESULTS, now=utcnow())
    lifecycle.archive(db, published, now=utcnow())
    assert lifecycle.has_results(published), "archived results stay public"


def test_details_are_checked(db):
    item = factories.consultation(status="scheduled")
    now = utcnow()
    base = {"title": "T", "summary": "S", "opens_at": now, "closes_at": now + timedelta(days=9)}
    with pytest.raises(SurveyError, match="topic"):
        lifecycle.update_details(db, item, **base, topic="gardening")
    with pytest.raises(SurveyError, match="needs an opening date"):
        lifecycle.update_details(db, item, **{**base, "opens_at": None})
    with pytest.raises(SurveyError, match="closing date must be after"):
        lifecycle.update_details(db, item, **{**base, "closes_at": now - timedelta(days=1)})
    lifecycle.update_details(
        db,
        item,
        **base,
        topic="transport",
        localities=["Drumlee", "Drumlee", "Kirkhallie"],
        other_ways="Phone 0300 123 4567",
        anonymous=False,
        equalities=True,
    )
    assert (item.topic, item.localities, item.anonymous, item.equalities) == (
        "transport",
        ["Drumlee", "Kirkhallie"],
        False,
        True,
    )
    item.status = ConsultationStatus.ARCHIVED
    with pytest.raises(SurveyError, match="archived"):
        lifecycle.update_details(db, item, **base)


def routed_consultation(db):
    """Three pages: page 1 routes "o1" to page 3 and "o3" to the end; page 3 asks a question
    only when the page 1 answer was "o2"."""
    item = factories.consultation(status="open", questions=False)
    item.topic, item.localities, item.equalities = "health", ["Drumlee"], True
    page1 = item.pages[0]
    page2 = services.add_page(db, item, title="Why")
    page3 = services.add_page(db, item, title="More")
    first = services.add_question(
        db, item, type="single_choice", title="Happy?", options=["Yes", "No", "Stop"], page=page1
    )
    services.add_question(db, item, type="long_text", title="Why not?", page=page2)
    later = services.add_question(
        db,
        item,
        type="matrix",
        title="Rate",
        page=page3,
        settings={"rows": services.option_list(["Buses"], prefix="r")},
    )
    first.routes = {"o1": page3.id, "o3": "end"}
    later.show_if = {"question_id": first.id, "values": ["o2"]}
    factories.response(item, {first.id: ["o1"]})
    item.status = ConsultationStatus.CLOSED
    db.flush()
    return item


def test_copy_is_a_draft_with_routing_pointing_at_the_copies(db):
    source = routed_consultation(db)
    copy = lifecycle.copy_consultation(db, source)
    assert copy.id != source.id
    assert copy.title == f"Copy of {source.title}"
    assert copy.status == ConsultationStatus.DRAFT
    assert copy.opens_at is None
    assert copy.closes_at is None
    assert services.response_count(db, copy.id) == 0
    assert (copy.topic, copy.localities, copy.equalities) == ("health", ["Drumlee"], True)
    assert [p.title for p in copy.pages] == [p.title for p in source.pages]
    assert not {p.id for p in copy.pages} & {p.id for p in source.pages}
    first, _why, later = copy.questions
    assert [q.title for q in copy.questions] == [q.title for q in source.questions]
    assert first.options == source.questions[0].options
    assert later.settings == source.questions[2].settings
    assert later.settings is not source.questions[2].settings
    assert first.routes == {"o1": copy.pages[2].id, "o3": "end"}
    assert later.show_if == {"question_id": first.id, "values": ["o2"]}
    assert all(q.page.consultation_id == copy.id for q in copy.questions)
    # The original is untouched.
    assert source.questions[0].routes == {"o1": source.pages[2].id, "o3": "end"}
    assert source.questions[2].show_if["question_id"] == source.questions[0].id


def test_saved_answers_follow_a_later_closing_date(db):
    from surveys import drafts
    from surveys.base import utcnow

    item = factories.consultation()
    draft = drafts.save(db, item, None, token=drafts.new_token(), values={}, path=[], now=utcnow())
    later = item.closes_at + timedelta(days=14)
    lifecycle.update_details(
        db, item, title=item.title, summary=item.summary, opens_at=item.opens_at, closes_at=later
    )
    db.refresh(draft)
    assert draft.expires_at == later


def test_anonymity_and_the_equalities_block_are_fixed_once_open(db):
    item = factories.consultation()  # open
    with pytest.raises(SurveyError, match="cannot change once people have started"):
        lifecycle.update_details(
            db,
            item,
            title=item.title,
            summary=item.summary,
            opens_at=item.opens_at,
            closes_at=item.closes_at,
            anonymous=False,
        )
