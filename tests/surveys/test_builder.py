"""The rules of editing a survey: pages, questions, routing and conditions, and their clean-up."""

from __future__ import annotations

import pytest

from surveys import builder, outline
from surveys.builder import END, EditError
from tests import factories


@pytest.fixture
def survey(db):
    """Three pages: 'Do you drive?' (p1) routes and conditions into pages 2 and 3."""
    item = factories.consultation(status="draft", questions=False)
    p1 = item.pages[0]
    p1.title = "About you"
    p2 = builder.add_page(db, item, title="Driving")
    p3 = builder.add_page(db, item, title="Your area")
    drive = builder.add_question(
        db, item, page=p1, type="single_choice", title="Do you drive?", options=["Yes", "No"]
    )
    often = builder.add_question(
        db, item, page=p2, type="single_choice", title="How often?", options=["Daily", "Weekly"]
    )
    roads = builder.add_question(db, item, page=p2, type="long_text", title="Roads?")
    area = builder.add_question(db, item, page=p3, type="short_text", title="Your street")
    builder.set_routes(db, item, drive, {"o1": "next", "o2": p3.id})
    builder.set_condition(db, item, roads, drive.id, ["o1"])
    return item, (p1, p2, p3), (drive, often, roads, area)


def titles_by_page(item):
    return [[q.title for q in builder.questions_on(item, p)] for p in outline.pages_of(item)]


# --- Describing the survey ----------------------------------------------------------------------


def test_rules_are_described_in_plain_words(survey):
    item, _pages, (drive, _often, roads, _area) = survey
    rows = outline.outline(item)
    assert [r.label for r in rows] == ["Page 1: About you", "Page 2: Driving", "Page 3: Your area"]
    assert rows[0].questions[0].rules == ["If 'No', go to page 3: Your area"]
    assert rows[1].questions[1].condition == "Asked only if the answer to 'Do you drive?' is 'Yes'"
    assert [q.number for r in rows for q in r.questions] == [1, 2, 3, 4]
    drive.routes = {"o1": END}
    assert outline.describe_routes(drive, {}) == ["If 'Yes', go to the end"]


def test_multiple_choice_conditions_say_includes(db, survey):
    item, (p1, _p2, p3), (_d, _o, _r, area) = survey
    ticks = builder.add_question(
        db, item, page=p1, type="multiple_choice", title="Which?", options=["A", "B", "C"]
    )
    builder.set_condition(db, item, area, ticks.id, ["o3", "o1"])
    assert area.show_if == {"question_id": ticks.id, "values": ["o1", "o3"]}  # option order
    assert outline.describe_condition(area, ticks) == (
        "Asked only if the answer to 'Which?' includes 'A' or 'C'"
    )


def test_information_text_gets_no_number(db, survey):
    item, (p1, *_), _ = survey
    builder.add_question(db, item, page=p1, type="information", title="Read this")
    numbers = [q.number for q in outline.outline(item)[0].questions]
    assert numbers == [1, None]


# --- Pages ---------------------------------------------------------------------------------------


def test_pages_are_added_renamed_and_moved(db, survey):
    item, (p1, p2, p3), _ = survey
    p4 = builder.add_page(db, item, title=" Last ", intro="Nearly done")
    assert (p4.position, p4.title, p4.intro) == (4, "Last", "Nearly done")
    builder.update_page(db, p4, title="Final thoughts", intro="")
    assert p4.title == "Final thoughts"
    builder.move_page(db, item, p4, -1)
    assert [p.id for p in outline.pages_of(item)] == [p1.id, p2.id, p4.id, p3.id]
    assert [p.position for p in outline.pages_of(item)] == [1, 2, 3, 4]


def test_first_page_cannot_move_up_nor_last_down(db, survey):
    item, (p1, _p2, p3), _ = survey
    with pytest.raises(EditError, match="already the first"):
        builder.move_page(db, item, p1, -1)
    with pytest.raises(EditError, match="already the last"):
        builder.move_page(db, item, p3, 1)


def test_moving_a_page_keeps_question_page_positions_in_step(db, survey):
    item, (_p1, p2, p3), (_d, often, roads, area) = survey
    builder.move_page(db, item, p3, -1)
    assert (area.page_position, often.page_position, roads.page_position) == (2, 3, 3)
    assert [q.title for q in item.questions] == [
        "Do you drive?",
        "Your street",
        "How often?",
        "Roads?",
    ]


def test_moving_a_page_before_its_source_removes_the_rules_it_breaks(db, survey):
    item, (p1, p2, p3), (drive, _often, roads, _area) = survey
    first = builder.move_page(db, item, p2, -1)  # Driving is now page 1, before 'Do you drive?'
    assert [r.reason for r in first] == [
        "the question it depends on is no longer on an earlier page"
    ]
    assert roads.show_if is None
    removed = builder.move_page(db, item, p3, -1)  # Your area is page 2, 'About you' page 3
    assert [p.title for p in outline.pages_of(item)] == ["Driving", "Your area", "About you"]
    assert drive.routes == {}
    assert [str(r) for r in removed] == [
        "Removed from 'Do you drive?': If 'No', go to page 2: Your area, "
        "because page 2 no longer comes after this question"
    ]


def test_an_empty_page_is_deleted_and_routes_to_it_go(db, survey):
    item, (p1, p2, p3), (drive, often, roads, area) = survey
    builder.remove_question(db, item, area)
    removed = builder.delete_page(db, item, p3)
    assert [p.title for p in outline.pages_of(item)] == ["About you", "Driving"]
    assert drive.routes == {}
    assert [str(r) for r in removed] == [
        "Removed from 'Do you drive?': If 'No', go to page 3: Your area, "
        "because page 3: Your area was deleted"
    ]


def test_a_page_with_questions_needs_somewhere_to_move_them(db, survey):
    item, (p1, p2, _p3), _ = survey
    with pytest.raises(EditError, match="still has 2 questions") as caught:
        builder.delete_page(db, item, p2)
    assert caught.value.field == "move_to"
    with pytest.raises(EditError, match="another page"):
        builder.delete_page(db, item, p2, move_to=p2)
    assert len(item.pages) == 3


def test_deleting_a_page_moves_its_questions_and_cleans_up(db, survey):
    item, (p1, p2, p3), (drive, often, roads, area) = survey
    removed = builder.delete_page(db, item, p2, move_to=p1)
    assert titles_by_page(item) == [["Do you drive?", "How often?", "Roads?"], ["Your street"]]
    assert (roads.page_position, roads.position) == (1, 3)
    assert roads.show_if is None  # its source is now on the same page
    assert drive.routes == {"o2": p3.id}  # still a later page (now page 2)
    assert [r.reason for r in removed] == [
        "the question it depends on is no longer on an earlier page"
    ]


def test_the_only_page_cannot_be_deleted(db):
    item = factories.consultation(status="draft", questions=False)
    with pytest.raises(EditError, match="only page"):
        builder.delete_page(db, item, item.pages[0])


# --- Questions -----------------------------------------------------------------------------------


def test_questions_move_up_and_down_within_their_page(db, survey):
    item, (_p1, p2, _p3), (_d, often, roads, _a) = survey
    builder.move_question(db, item, roads, -1)
    assert [q.title for q in builder.questions_on(item, p2)] == ["Roads?", "How often?"]
    with pytest.raises(EditError, match="already the first"):
        builder.move_question(db, item, roads, -1)
    with pytest.raises(EditError, match="already the last"):
        builder.move_question(db, item, often, 1)


def test_moving_a_question_to_another_page_puts_it_last_and_cleans_up(db, survey):
    item, (p1, _p2, p3), (drive, often, roads, area) = survey
    removed = builder.move_question_to_page(db, item, drive, p3)
    assert titles_by_page(item) == [[], ["How often?", "Roads?"], ["Your street", "Do you drive?"]]
    assert drive.routes == {}  # page 3 is not after page 3
    assert roads.show_if is None  # 'Do you drive?' is no longer on an earlier page
    assert len(removed) == 2
    assert builder.move_question_to_page(db, item, drive, p3) == []


def test_removing_a_question_removes_conditions_that_depend_on_it(db, survey):
    item, _pages, (drive, _o, roads, _a) = survey
    removed = builder.remove_question(db, item, drive)
    assert roads.show_if is None
    assert [r.reason for r in removed] == ["the question it depended on was removed"]
    assert "Asked only if the answer to 'Do you drive?' is 'Yes'" in removed[0].rule


def test_relabel_keeps_values_for_unchanged_moved_and_reworded_options():
    old = [{"value": "o1", "label": "Yes"}, {"value": "o2", "label": "No"}]
    assert builder.relabel(old, ["No", "Yes"]) == [
        {"value": "o2", "label": "No"},
        {"value": "o1", "label": "Yes"},
    ]
    assert builder.relabel(old, ["Yes", "Not really"]) == [
        {"value": "o1", "label": "Yes"},
        {"value": "o2", "label": "Not really"},
    ]
    # A new option in the middle does not take the value of one that only moved down.
    assert [o["value"] for o in builder.relabel(old, ["Yes", "Maybe", "No"])] == ["o1", "o3", "o2"]
    # Removed values are never handed to new labels.
    assert [o["value"] for o in builder.relabel(old, ["Blue", "Green", "Red"])] == [
        "o1",
        "o2",
        "o3",
    ]
    assert [o["value"] for o in builder.relabel(old, ["", "yes", "YES"])] == ["o1"]


def test_editing_a_draft_question_changes_everything(db, survey):
    item, _pages, (drive, often, _roads, _a) = survey
    removed = builder.update_question(
        db,
        item,
        often,
        title="How often do you drive?",
        hint="Think of last month",
        options=["Daily", "Weekly", "Rarely"],
        required=True,
        settings={"display": "dropdown"},
    )
    assert removed == []
    assert (often.title, often.hint, often.required) == (
        "How often do you drive?",
        "Think of last month",
        True,
    )
    assert [o["value"] for o in often.options] == ["o1", "o2", "o3"]
    assert often.settings == {"display": "dropdown"}


def test_removing_an_option_removes_its_rules(db, survey):
    item, _pages, (drive, _often, roads, _a) = survey
    removed = builder.update_question(
        db, item, drive, title="Do you drive?", options=["Yes", "Sometimes"]
    )
    # 'No' (o2) is gone: its route goes. 'Sometimes' takes no old value's place wrongly:
    # it replaces 'No' in position, so it keeps o2 and the route stays with the reworded option.
    assert [o["value"] for o in drive.options] == ["o1", "o2"]
    assert drive.routes == {"o2": outline.pages_of(item)[2].id}
    assert removed == []
    removed = builder.update_question(
        db, item, drive, title="Do you drive?", options=["Sometimes", "Never"]
    )
    # 'Yes' (o1) is gone: the condition on 'Roads?' depended only on it.
    assert [o["value"] for o in drive.options] == ["o2", "o3"]
    assert roads.show_if is None
    assert [str(r) for r in removed] == [
        "Removed from 'Roads?': Asked only if the answer to 'Do you drive?' is 'Yes', "
        "because none of the answers it depended on is an option any more"
    ]


def test_a_condition_loses_only_the_answers_that_went(db, survey):
    item, _pages, (drive, _often, roads, _a) = survey
    builder.set_condition(db, item, roads, drive.id, ["o1", "o2"])
    builder.set_routes(db, item, drive, {})
    # 'Yes' moves and keeps o1; 'Maybe' cannot take o1's place, so 'No' (o2) is gone.
    removed = builder.update_question(
        db, item, drive, title="Do you drive?", options=["Maybe", "Yes"]
    )
    assert [o["value"] for o in drive.options] == ["o3", "o1"]
    assert roads.show_if == {"question_id": drive.id, "values": ["o1"]}
    assert [str(r) for r in removed] == [
        "Removed from 'Roads?': the answer 'No' in the condition \"Asked only if the answer to "
        "'Do you drive?' is 'Yes' or 'No'\", because 'No' is no longer an option"
    ]


def test_a_choice_question_keeps_at_least_two_options(db, survey):
    item, _pages, (drive, *_rest) = survey
    with pytest.raises(EditError, match="at least two") as caught:
        builder.update_question(db, item, drive, title="Do you drive?", options=["Yes"])
    assert caught.value.field == "options"
    with pytest.raises(EditError, match="Enter the question"):
        builder.update_question(db, item, drive, title="  ", options=["Yes", "No"])


def test_matrix_rows_keep_their_values(db, survey):
    item, (p1, *_), _ = survey
    grid = builder.add_question(
        db,
        item,
        page=p1,
        type="matrix",
        title="How good?",
        options=["Good", "Poor"],
        settings={"rows": [{"value": "r1", "label": "Buses"}, {"value": "r2", "label": "Roads"}]},
    )
    rows = [{"value": "r1", "label": "Roads"}, {"value": "r2", "label": "Trains"}]  # from a form
    builder.update_question(db, item, grid, title="How good?", settings={"rows": rows})
    assert grid.settings["rows"] == [
        {"value": "r2", "label": "Roads"},
        {"value": "r3", "label": "Trains"},
    ]


def test_once_open_only_wording_changes(db, survey):
    item, (p1, p2, p3), (drive, often, roads, area) = survey
    item.status = "open"
    builder.update_question(
        db,
        item,
        drive,
        title="Do you drive a car?",
        hint="Or a van",
        options=["Yes, I do", "No"],
        required=True,
        settings={"display": "dropdown"},
    )
    assert (drive.title, drive.hint) == ("Do you drive a car?", "Or a van")
    assert drive.options == [{"value": "o1", "label": "Yes, I do"}, {"value": "o2", "label": "No"}]
    assert drive.required is False
    assert drive.settings == {}
    with pytest.raises(EditError, match="not add or remove"):
        builder.update_question(db, item, drive, title="x", options=["Yes", "No", "Maybe"])
    builder.update_page(db, p2, title="Cars", intro="")  # page wording too
    assert p2.title == "Cars"
    for change in (
        lambda: builder.add_page(db, item),
        lambda: builder.move_page(db, item, p2, 1),
        lambda: builder.delete_page(db, item, p3, move_to=p2),
        lambda: builder.move_question(db, item, roads, -1),
        lambda: builder.move_question_to_page(db, item, area, p2),
        lambda: builder.remove_question(db, item, area),
        lambda: builder.set_routes(db, item, drive, {}),
        lambda: builder.set_condition(db, item, roads, None),
        lambda: builder.add_question(db, item, type="long_text", title="More?"),
    ):
        with pytest.raises(EditError, match="only change the wording"):
            change()


def test_scheduled_consultations_can_still_change_structure(db, survey):
    item, (_p1, p2, _p3), _ = survey
    item.status = "scheduled"
    assert builder.structure_editable(item)
    builder.move_page(db, item, p2, 1)


# --- Routing rules -------------------------------------------------------------------------------


def test_routes_go_only_to_later_pages_or_the_end(db, survey):
    item, (p1, p2, p3), (drive, often, *_rest) = survey
    builder.set_routes(db, item, drive, {"o1": END, "o2": str(p2.id)})
    assert drive.routes == {"o1": END, "o2": p2.id}
    builder.set_routes(db, item, drive, {"o1": "next", "o2": ""})
    assert drive.routes == {}
    with pytest.raises(EditError, match="later page") as caught:
        builder.set_routes(db, item, often, {"o1": p1.id})
    assert caught.value.field == "route_o1"
    with pytest.raises(EditError, match="later page"):
        builder.set_routes(db, item, often, {"o1": p2.id})  # its own page
    with pytest.raises(EditError, match="not one of"):
        builder.set_routes(db, item, often, {"o9": END})
    assert outline.later_pages(item, often) == [p3]


def test_only_choice_questions_route(db, survey):
    item, _pages, (_d, _o, roads, _a) = survey
    with pytest.raises(EditError, match="Only choice"):
        builder.set_routes(db, item, roads, {})


def test_conditions_need_a_choice_question_on_an_earlier_page(db, survey):
    item, _pages, (drive, often, roads, area) = survey
    assert outline.condition_sources(item, area) == [drive, often]
    assert outline.condition_sources(item, drive) == []
    with pytest.raises(EditError, match="earlier page") as caught:
        builder.set_condition(db, item, roads, often.id, ["o1"])  # same page
    assert caught.value.field == "source"
    with pytest.raises(EditError, match="choice or rating"):
        builder.set_condition(db, item, area, roads.id, ["o1"])
    with pytest.raises(EditError, match="choice or rating"):
        builder.set_condition(db, item, area, 999_999, ["o1"])
    with pytest.raises(EditError, match="at least one") as caught:
        builder.set_condition(db, item, area, drive.id, [])
    assert caught.value.field == "values"
    with pytest.raises(EditError, match="only the answers"):
        builder.set_condition(db, item, area, drive.id, ["o1", "o7"])
    builder.set_condition(db, item, area, often.id, ["o2"])
    assert area.show_if == {"question_id": often.id, "values": ["o2"]}
    builder.set_condition(db, item, area, None)
    assert area.show_if is None


def test_clean_rules_leaves_good_rules_alone(db, survey):
    item, (_p1, _p2, p3), (drive, _often, roads, _area) = survey
    assert builder.clean_rules(db, item) == []
    assert drive.routes == {"o2": p3.id}
    assert roads.show_if is not None


def test_rules_survive_a_round_trip_through_the_database(db, survey):
    item, (_p1, _p2, p3), (drive, _often, roads, _area) = survey
    db.expire_all()
    assert drive.routes == {"o2": p3.id}
    assert builder.clean_rules(db, item) == []
