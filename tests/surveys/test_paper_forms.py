"""Paper forms show every question; routing and conditions still decide what was asked."""

from __future__ import annotations

from surveys import services
from surveys.imports import read_paper_form
from tests import factories


def routed(db):
    """Page 1 asks whether you drive; "No" skips page 2 (about parking) and a follow-up on 1."""
    item = factories.consultation(questions=False)
    page1 = item.pages[0]
    drive = services.add_question(
        db, item, type="single_choice", title="Do you drive?", options=["Yes", "No"], page=page1
    )
    page2 = services.add_page(db, item, title="Parking")
    parking = services.add_question(
        db, item, type="short_text", title="Where do you park?", required=True, page=page2
    )
    page3 = services.add_page(db, item, title="Buses")
    bus = services.add_question(
        db, item, type="single_choice", title="Do you take the bus?", options=["Yes", "No"],
        page=page3,
    )  # fmt: skip
    why = services.add_question(
        db, item, type="long_text", title="Why not?", required=True, page=page3
    )
    drive.routes = {"o2": page3.id}
    why.show_if = {"question_id": bus.id, "values": ["o2"]}
    db.flush()
    return item, drive, parking, bus, why


def test_a_routed_past_required_question_is_neither_required_nor_kept(db):
    item, drive, parking, bus, why = routed(db)
    entry = read_paper_form(item, {drive.field_name: ["o2"], parking.field_name: ["Stray"]})
    assert entry.ok
    assert set(entry.answers) == {drive.id, bus.id}  # "Stray" was on a skipped page


def test_questions_on_the_route_are_checked(db):
    item, drive, parking, bus, why = routed(db)
    entry = read_paper_form(item, {drive.field_name: ["o1"]})
    assert [(e.question_id, e.message) for e in entry.errors] == [(parking.id, "Enter your answer")]


def test_show_if_asks_only_when_the_earlier_answer_matches(db):
    item, drive, parking, bus, why = routed(db)
    form = {drive.field_name: ["o2"], bus.field_name: ["o1"], why.field_name: ["Kept?"]}
    entry = read_paper_form(item, form)
    assert entry.ok
    assert why.id not in entry.answers
    entry = read_paper_form(item, {**form, bus.field_name: ["o2"], why.field_name: [""]})
    assert [e.question_id for e in entry.errors] == [why.id]


def test_a_route_to_the_end_stops_there(db):
    item, drive, parking, bus, why = routed(db)
    drive.routes = {"o2": "end"}
    entry = read_paper_form(item, {drive.field_name: ["o2"], bus.field_name: ["o1"]})
    assert entry.ok
    assert set(entry.answers) == {drive.id}
