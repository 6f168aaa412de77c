"""The rules of each question type, without a database."""

from __future__ import annotations

import pytest

from surveys.models import Question
from surveys.options import option_list
from surveys.questions import QUESTION_TYPES, get_type


def question(type_: str, *, required: bool = False, **settings) -> Question:
    return Question(
        id=7,
        type=type_,
        title="Q",
        required=required,
        options=option_list(["Buses", "Trains", "Ferries"]),
        settings=settings,
    )


def test_registry_lists_the_first_types():
    assert {"single_choice", "multiple_choice", "long_text"} <= set(QUESTION_TYPES)
    with pytest.raises(ValueError, match="unknown question type"):
        get_type("nope")


def test_options_get_stable_values_and_duplicates_go():
    assert option_list(["Yes", " yes ", "", "No"]) == [
        {"value": "o1", "label": "Yes"},
        {"value": "o2", "label": "No"},
    ]


@pytest.mark.parametrize(
    ("raw", "required", "value", "error"),
    [
        (["o2"], True, "o2", None),
        ([], True, None, "Select an answer"),
        ([], False, None, None),
        (["o9"], False, None, "Select one of the options shown"),
        (["o1", "o2"], False, None, "Select one of the options shown"),
    ],
)
def test_single_choice(raw, required, value, error):
    parsed = get_type("single_choice").parse(question("single_choice", required=required), raw)
    assert (parsed.value, parsed.error) == (value, error)


@pytest.mark.parametrize(
    ("raw", "value", "error"),
    [
        (["o3", "o1"], ["o1", "o3"], None),
        (["o1", "o1"], ["o1"], None),
        (["o1", "o2", "o3"], None, "Select no more than 2 answers"),
        (["o1", "bad"], None, "Select only the options shown"),
    ],
)
def test_multiple_choice_with_a_maximum(raw, value, error):
    q = question("multiple_choice", max_choices=2)
    parsed = get_type("multiple_choice").parse(q, raw)
    assert (parsed.value, parsed.error) == (value, error)


def test_multiple_choice_required():
    q = question("multiple_choice", required=True)
    assert get_type("multiple_choice").parse(q, []).error == "Select at least one answer"


def test_long_text_trims_counts_and_limits():
    q = question("long_text", max_length=10)
    qtype = get_type("long_text")
    assert qtype.parse(q, ["  ok \r\n fine "]).value == "ok \n fine"
    too_long = qtype.parse(q, ["x" * 11])
    assert too_long.error == "Your answer must be 10 characters or fewer"
    assert too_long.raw == ("x" * 11,)
    assert qtype.parse(question("long_text", required=True), ["   "]).error == "Enter your answer"
    assert qtype.free_text
    assert not get_type("single_choice").free_text


def test_display_uses_labels():
    q = question("multiple_choice")
    assert get_type("multiple_choice").display(q, ["o1", "o3"]) == "Buses, Ferries"
    assert get_type("single_choice").display(q, "o2") == "Trains"
