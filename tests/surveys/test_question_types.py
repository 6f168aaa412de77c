"""Validation rules of every question type, as a person filling in the form meets them."""

from __future__ import annotations

import pytest

from surveys.models import Question
from surveys.questions import QUESTION_TYPES, get_type
from surveys.services import option_list


def q(type_: str, *, required: bool = False, options=("Buses", "Trains", "Ferries"), **settings):
    return Question(
        id=5,
        type=type_,
        title="Q",
        required=required,
        options=option_list(options),
        settings=settings,
    )


def read(question, **form):
    return get_type(question.type).read(
        question, {k: [v] if isinstance(v, str) else v for k, v in form.items()}
    )


def test_every_type_is_registered_once_with_a_template_name():
    expected = {
        "single_choice",
        "multiple_choice",
        "rating_scale",
        "matrix",
        "ranking",
        "short_text",
        "long_text",
        "number",
        "date",
        "email",
        "locality",
        "consent",
        "information",
    }
    assert set(QUESTION_TYPES) == expected
    for key, qtype in QUESTION_TYPES.items():
        assert qtype.key == key
        assert qtype.template.endswith(".html")


class TestOther:
    def test_other_needs_its_words(self):
        question = q("single_choice", allow_other=True)
        assert read(question, q5="other").error == "Say what your other answer is"
        parsed = read(question, q5="other", **{"q5-other": "Cycle path"})
        assert (parsed.value, parsed.text) == ("other", "Cycle path")
        assert get_type("single_choice").display(question, "other", "Cycle path") == (
            "Other: Cycle path"
        )

    def test_other_is_refused_when_not_offered(self):
        assert read(q("single_choice"), q5="other").error == "Select one of the options shown"

    def test_multiple_choice_with_other(self):
        question = q("multiple_choice", allow_other=True)
        parsed = read(question, q5=["o1", "other"], **{"q5-other": "Walking"})
        assert parsed.value == ["o1", "other"]
        assert parsed.text == "Walking"


def test_rating_scale_defaults_to_agree_disagree(db):
    from surveys import services
    from tests import factories

    item = factories.consultation(status="draft", questions=False)
    question = services.add_question(db, item, type="rating_scale", title="Buses are reliable")
    assert [o["label"] for o in question.options][0] == "Strongly agree"
    assert len(question.options) == 5


class TestMatrix:
    def matrix(self, required=False):
        return q(
            "matrix",
            required=required,
            options=("Good", "Poor"),
            rows=option_list(["Buses", "Roads"], prefix="r"),
        )

    def test_answers_per_row(self):
        parsed = read(self.matrix(), **{"q5-r1": "o1", "q5-r2": "o2"})
        assert parsed.value == {"r1": "o1", "r2": "o2"}
        assert get_type("matrix").display(self.matrix(), parsed.value) == "Buses: Good; Roads: Poor"

    def test_required_means_every_row(self):
        assert read(self.matrix(True), **{"q5-r1": "o1"}).error == "Answer every row"
        assert get_type("matrix").error_target(self.matrix()) == "q5-r1"

    def test_unknown_point_is_refused(self):
        assert read(self.matrix(), **{"q5-r1": "o9"}).error.startswith("Select one of the options")


class TestRanking:
    def test_order_from_numbers(self):
        parsed = read(q("ranking"), **{"q5-o1": "2", "q5-o2": "3", "q5-o3": "1"})
        assert parsed.value == ["o3", "o1", "o2"]
        assert get_type("ranking").display(q("ranking"), parsed.value) == (
            "1. Ferries, 2. Buses, 3. Trains"
        )

    @pytest.mark.parametrize(
        ("form", "error"),
        [
            ({"q5-o1": "1", "q5-o2": "1"}, "Give each option a different number"),
            ({"q5-o1": "4"}, "Use the numbers 1 to 3"),
            ({"q5-o1": "first"}, "Use the numbers 1 to 3"),
        ],
    )
    def test_mistakes(self, form, error):
        assert read(q("ranking"), **form).error == error

    def test_required_ranks_everything(self):
        parsed = read(q("ranking", required=True), **{"q5-o1": "1"})
        assert parsed.error == "Put a number beside every option"


class TestText:
    def test_short_text_limit(self):
        assert read(q("short_text"), q5="x" * 201).error == (
            "Your answer must be 200 characters or fewer"
        )
        assert read(q("short_text"), q5="Fine").text == "Fine"
        assert get_type("short_text").free_text

    @pytest.mark.parametrize(
        ("given", "value", "error"),
        [
            ("12", 12, None),
            ("1,500", 1500, None),
            ("2.5", 2.5, None),
            ("twelve", None, "Enter a number, like 3 or 12.5"),
            ("2001", None, "Enter a number between 0 and 2000"),
            ("-1", None, "Enter a number between 0 and 2000"),
            ("nan", None, "Enter a number, like 3 or 12.5"),
        ],
    )
    def test_number(self, given, value, error):
        parsed = read(q("number", min_value=0, max_value=2000), q5=given)
        assert (parsed.value, parsed.error) == (value, error)

    def test_email(self):
        assert read(q("email"), q5=" Name@Example.org ").value == "Name@example.org"
        assert read(q("email"), q5="name@").error.startswith("Enter an email address in the")


class TestDate:
    def date(self, day="", month="", year="", required=True):
        return read(
            q("date", required=required), **{"q5-day": day, "q5-month": month, "q5-year": year}
        )

    def test_accepts_numbers_and_month_names(self):
        assert self.date("27", "3", "2007").value == "2007-03-27"
        assert self.date("1", "March", "2026").value == "2026-03-01"
        assert self.date("1", "sept", "2026").value == "2026-09-01"

    @pytest.mark.parametrize(
        ("parts", "error"),
        [
            (("", "", ""), "Enter a date"),
            (("1", "", "2026"), "The date must include a month"),
            (("31", "2", "2026"), "The date must be a real date, like 27 3 2007"),
            (("1", "2", "26"), "The date must be a real date, like 27 3 2007"),
        ],
    )
    def test_mistakes(self, parts, error):
        assert self.date(*parts).error == error

    def test_entries_kept_and_error_links_to_day(self):
        parsed = self.date("31", "2", "2026")
        assert parsed.raw == ("31", "2", "2026")
        assert get_type("date").error_target(q("date")) == "q5-day"


class TestLocality:
    def question(self):
        return q(
            "locality",
            required=True,
            options=("Drumlee", "Kirkhallie"),
            postcodes={"KA1": "o1", "KA2": "o2"},
        )

    def test_area_or_postcode(self):
        assert read(self.question(), q5="o2").value == "o2"
        assert read(self.question(), **{"q5-postcode": "ka2 3bb"}).value == "o2"

    @pytest.mark.parametrize(
        ("form", "error"),
        [
            ({}, "Select your area or enter your postcode"),
            ({"q5-postcode": "not a postcode"}, "Enter a real postcode, like KA1 1AA"),
            (
                {"q5-postcode": "G1 1AA"},
                "We could not match that postcode to an area: select your area",
            ),
            ({"q5": "o7"}, "Select one of the areas shown"),
        ],
    )
    def test_mistakes(self, form, error):
        assert read(self.question(), **form).error == error


def test_consent_must_be_ticked():
    assert read(q("consent"), q5="yes").value is True
    assert read(q("consent")).error == "Tick the box to say you agree"


def test_information_has_nothing_to_answer(db):
    from surveys import services
    from tests import factories

    item = factories.consultation(status="draft", questions=False)
    services.add_question(
        db,
        item,
        type="information",
        title="About you",
        hint="The next questions help us check we hear from everyone.",
    )
    services.add_question(db, item, type="short_text", title="Your town", required=True)
    answers, errors = services.parse_answers(item.questions, {})
    assert [e.message for e in errors] == ["Enter your answer"]
    assert set(answers) == {item.questions[1].id}
