"""The routing rules: which pages and questions a person is asked."""

from __future__ import annotations

from surveys import routing, services
from tests import factories


def walk_titles(item, values) -> tuple[list[str], list[str]]:
    walked = routing.walk(item, values)
    return [p.title for p in walked.pages], [q.title for q in walked.asked]


def field(item, title: str) -> str:
    return next(q.field_name for q in item.questions if q.title == title)


def test_no_answers_walk_every_page_but_hide_conditional_questions(db):
    item = factories.routed_consultation()
    pages, asked = walk_titles(item, {})
    assert pages == ["Getting about", "Your bus journeys", "Your ideas"]
    assert "Which route do you take every day?" not in asked


def test_an_answer_with_a_route_skips_to_its_page(db):
    item = factories.routed_consultation()
    pages, asked = walk_titles(item, {field(item, "Do you use the bus?"): ["o2"]})
    assert pages == ["Getting about", "Your ideas"]
    assert "How often do you take the bus?" not in asked


def test_a_condition_shows_its_question_only_for_listed_answers(db):
    item = factories.routed_consultation()
    bus, often = field(item, "Do you use the bus?"), field(item, "How often do you take the bus?")
    _, daily = walk_titles(item, {bus: ["o1"], often: ["o1"]})
    _, weekly = walk_titles(item, {bus: ["o1"], often: ["o2"]})
    assert "Which route do you take every day?" in daily
    assert "Which route do you take every day?" not in weekly


def test_a_condition_on_a_skipped_question_hides_its_question(db):
    item = factories.routed_consultation()
    # "Every day" left over from before the person changed to "No": page 2 is skipped, so its
    # answer no longer counts and the follow-up is not asked.
    values = {
        field(item, "Do you use the bus?"): ["o2"],
        field(item, "How often do you take the bus?"): ["o1"],
    }
    _, asked = walk_titles(item, values)
    assert "Which route do you take every day?" not in asked


def test_route_to_the_end_stops_the_walk(db):
    item = factories.routed_consultation()
    first = item.questions[0]
    first.routes = {"o2": routing.END}
    pages, _ = walk_titles(item, {first.field_name: ["o2"]})
    assert pages == ["Getting about"]


def test_a_backward_route_is_ignored_so_the_walk_always_ends(db):
    item = factories.routed_consultation()
    often = next(q for q in item.questions if q.title == "How often do you take the bus?")
    often.routes = {"o3": item.pages[0].id}
    pages, _ = walk_titles(
        item, {field(item, "Do you use the bus?"): ["o1"], often.field_name: ["o3"]}
    )
    assert pages == ["Getting about", "Your bus journeys", "Your ideas"]


def test_a_page_with_nothing_to_ask_is_skipped(db):
    item = factories.routed_consultation()
    page3 = item.pages[2]
    for question in item.questions:
        if question.page_id == page3.id:
            question.show_if = {"question_id": item.questions[0].id, "values": ["o1"]}
    pages, _ = walk_titles(item, {field(item, "Do you use the bus?"): ["o2"]})
    assert pages == ["Getting about"]


def test_multiple_choice_conditions_match_any_chosen_value(db):
    item = factories.consultation(questions=False)
    many = services.add_question(
        db, item, type="multiple_choice", title="Which?", options=["Buses", "Libraries", "Parks"]
    )
    page2 = services.add_page(db, item)
    text = services.add_question(
        db, item, type="long_text", title="What would make the biggest difference?", page=page2
    )
    text.show_if = {"question_id": many.id, "values": ["o3"]}
    assert (
        "What would make the biggest difference?"
        in walk_titles(item, {many.field_name: ["o1", "o3"]})[1]
    )
    assert (
        "What would make the biggest difference?"
        not in walk_titles(item, {many.field_name: ["o1"]})[1]
    )
