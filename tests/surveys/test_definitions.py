"""Survey templates: both load, build a working draft, and broken definitions are refused."""

from __future__ import annotations

import copy
import json

import pytest

from surveys import definitions
from surveys.models import ConsultationStatus
from tests import factories


def test_both_templates_are_available():
    found = definitions.available()
    assert set(found) == {"community-plan-review", "partnership-scorecard"}
    for definition in found.values():
        assert definition.name
        assert definition.description


def test_community_plan_review_builds_with_routing_by_id(db):
    org = factories.organisation()
    item = definitions.build(
        db, definitions.available()["community-plan-review"], organisation_id=org.id
    )
    assert item.status == ConsultationStatus.DRAFT
    assert item.topic == "community-plan"
    assert item.equalities
    titles = [p.title for p in item.pages]
    assert titles[:3] == [
        "Your area",
        "Why you are not satisfied",
        "Priorities for the next ten years",
    ]
    satisfaction = item.questions[0]
    priorities_page = item.pages[2]
    # Satisfied people skip the follow-up page; dissatisfied ones go on to it.
    assert satisfaction.routes == {
        "o1": priorities_page.id,
        "o2": priorities_page.id,
        "o3": priorities_page.id,
    }
    heard = next(q for q in item.questions if q.title.startswith("Before today"))
    how = next(q for q in item.questions if q.title == "How did you hear about the plan?")
    assert how.show_if == {"question_id": heard.id, "values": ["o1"]}
    assert how.page_position > heard.page_position
    matrix = next(q for q in item.questions if q.type == "matrix")
    assert len(matrix.settings["rows"]) == 5


def test_scorecard_uses_the_partnership_names(db):
    org = factories.organisation()
    scorecard = definitions.available()["partnership-scorecard"]
    item = definitions.build(
        db, scorecard, organisation_id=org.id, partners=["Craigmuir Council", "NHS Craigmuir"]
    )
    partner = item.questions[0]
    assert [o["label"] for o in partner.options] == [
        "Craigmuir Council",
        "NHS Craigmuir",
        "Another organisation",
    ]
    themes = [p.title for p in item.pages]
    for theme in (
        "Leadership",
        "Shared vision",
        "Joint working",
        "Community engagement",
        "Resources",
        "Performance",
    ):
        assert theme in themes
    likert = next(q for q in item.questions if q.type == "matrix")
    assert likert.options[0]["label"] == "Strongly agree"
    assert item.questions[-1].type == "long_text"


def test_title_and_summary_can_be_given(db):
    org = factories.organisation()
    item = definitions.build(
        db,
        definitions.available()["partnership-scorecard"],
        organisation_id=org.id,
        title="Scorecard 2027",
    )
    assert item.title == "Scorecard 2027"
    assert "Community Planning Partnership" in item.summary


def broken(change):
    data = copy.deepcopy(definitions.available()["community-plan-review"].data)
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["pages"][2]["questions"][0].update(routes={"Jobs": "your-area"}),
            "routes an option",
        ),
        (
            lambda d: d["pages"][0]["questions"][0]["routes"].update(
                {"Very satisfied": "your-area"}
            ),
            "not a later page",
        ),
        (
            lambda d: d["pages"][5]["questions"][0].update(
                show_if={"question": "involved", "values": ["Yes"]}
            ),
            "not on an earlier page",
        ),
        (
            lambda d: d["pages"][5]["questions"][0]["show_if"].update(values=["Maybe"]),
            "do not exist",
        ),
        (lambda d: d["pages"][1]["questions"][0].update(type="essay"), "unknown type"),
        (lambda d: d["pages"][1].update(key="your-area"), "own key"),
        (lambda d: d.update(topic="gardening"), "unknown topic"),
    ],
)
def test_broken_definitions_are_refused(change, message):
    with pytest.raises(definitions.DefinitionError, match=message):
        definitions.check(broken(change))


def test_invalid_json_is_reported_with_the_file_name(tmp_path):
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(definitions.DefinitionError, match="bad.json"):
        definitions.available(tmp_path)
    (tmp_path / "bad.json").write_text(json.dumps({"key": "x"}))
    with pytest.raises(definitions.DefinitionError, match="missing 'name'"):
        definitions.available(tmp_path)
