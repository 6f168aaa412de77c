"""Reading who took part against the population: the flag and the figures officers give."""

from __future__ import annotations

import pytest

from surveys import equalities
from surveys.population import FigureError, compare, flag, parse_people, profile, read_csv

AGE = next(q for q in equalities.QUESTIONS if q.key == "age_band")
SEX = next(q for q in equalities.QUESTIONS if q.key == "sex")


def test_a_group_heard_from_far_less_than_its_share_is_under_represented() -> None:
    # 20 of 400 respondents (5%) from a group that is 20% of the area.
    assert flag(20, 400, 0.20) == "under"
    assert flag(160, 400, 0.20) == "over"  # 40% of respondents from a 20% group


def test_small_or_unclear_differences_are_not_flagged() -> None:
    assert flag(18, 100, 0.20) is None  # inside the interval
    assert flag(1900, 10000, 0.20) is None  # clear statistically, but 19% against 20%
    assert flag(0, 0, 0.20) is None
    assert flag(5, 100, 0.0) is None


def test_compare_leaves_out_prefer_not_and_gives_shares_of_those_who_said() -> None:
    rows = compare(SEX, {"female": 60, "male": 40, "prefer_not": 50}, {"female": 52, "male": 48})
    assert [r.value for r in rows] == ["female", "male", "prefer_not", ""]
    assert rows[2].count == 50
    assert rows[2].share is None
    assert rows[2].population_share is None
    assert rows[0].share == pytest.approx(0.6)
    assert rows[0].population_share == pytest.approx(0.52)
    assert rows[0].flag is None


def test_compare_suppresses_small_groups_but_still_says_who_is_missing() -> None:
    counts = {"16-24": 3, "25-34": 60, "35-44": 70, "45-54": 80, "55-64": 90, "65-74": 40}
    people = {band: 1000 for band in equalities.AGE_BANDS}
    rows = {r.value: r for r in compare(AGE, counts, people)}
    assert rows["16-24"].count is None
    assert rows["16-24"].share is None
    assert rows["16-24"].flag == "under"  # 1/8 of 343 is 43 expected, fewer than 10 came
    assert rows["75-plus"].count == 0
    assert rows["75-plus"].flag == "under"
    assert rows["55-64"].flag == "over"


def test_a_group_hidden_to_protect_a_smaller_one_is_not_called_small_or_under() -> None:
    # 19 and 5 of 24 (as the audit keyed in): 5 is hidden, and 19 with it, or 5 = 24 - 19.
    ethnicity = next(q for q in equalities.QUESTIONS if q.key == "ethnicity")
    scottish, polish = ethnicity.options[0]["value"], ethnicity.options[1]["value"]
    people = {scottish: 798, polish: 30, **{o["value"]: 1 for o in ethnicity.options[2:]}}
    rows = {r.value: r for r in compare(ethnicity, {scottish: 19, polish: 5}, people)}
    assert rows[scottish].count is None
    assert rows[scottish].count_words == "Not shown"  # 19 people: not "Fewer than 10"
    assert rows[scottish].flag is None  # 79% against about 80%: not under-represented
    assert rows[polish].count_words == "Fewer than 10"


def test_groups_without_a_figure_have_no_population_share() -> None:
    rows = compare(SEX, {"female": 30, "male": 20}, {"female": 100})
    assert rows[0].population_share == pytest.approx(1.0)
    assert rows[1].population_share is None
    assert rows[1].flag is None


@pytest.mark.parametrize(("typed", "expected"), [("2,350", 2350), (" 2350 ", 2350), ("", None)])
def test_people_are_read_as_typed(typed: str, expected: int | None) -> None:
    assert parse_people(typed, "people") == expected


@pytest.mark.parametrize("typed", ["2.5", "-3", "lots", "23,50"])
def test_people_that_are_not_whole_numbers_are_refused(typed: str) -> None:
    with pytest.raises(FigureError, match="whole number, like 2,350"):
        parse_people(typed, "people aged 16 to 24")


def test_csv_accepts_codes_and_words() -> None:
    data = b'Question,Group,People\nage_band,16-24,"2,350"\nWhat is your sex?,Female,47400\n\n'
    rows = read_csv(data, equalities.QUESTIONS)
    assert [(r.attribute, r.value, r.people) for r in rows] == [
        ("age_band", "16-24", 2350),
        ("sex", "female", 47400),
    ]


def test_csv_problems_are_all_reported_with_row_numbers() -> None:
    data = b"question,group,people\nshoe_size,9,10\nsex,Unknown,5\nsex,male,many\nsex,female,\n"
    with pytest.raises(FigureError) as caught:
        read_csv(data, equalities.QUESTIONS)
    message = str(caught.value)
    assert "Row 2: there is no question called “shoe_size”" in message
    assert "Row 3: “Unknown” is not a group of “What is your sex?”" in message
    assert "Row 4: Enter the number of people as a whole number" in message
    assert "Row 5: enter the number of people" in message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a,b\n1,2\n", "columns question, group and people"),
        (b"question,group,people\n", "no figures"),
        ("question,group,people\nsex,female,1\n".encode("utf-16"), "UTF-8"),
    ],
)
def test_unusable_files_are_explained(data: bytes, message: str) -> None:
    with pytest.raises(FigureError, match=message):
        read_csv(data, equalities.QUESTIONS)


def test_profile_counts_each_answer_and_the_unanswered() -> None:
    block = [q for q in equalities.questions([]) if q.key == "carer"]
    answers = [{"carer": "no"}] * 25 + [{"carer": "1-19"}] * 12 + [{"carer": None}] * 4
    (table,) = profile(block, answers, {})
    counts = {row.label: row.count for row in table.rows}
    assert counts["No"] == 25
    assert counts["Not answered"] is None  # 4 people: too few to show
    # ...and 4 could be worked out from the total, so the next smallest group is hidden too.
    assert counts["Yes, 1 to 19 hours a week"] is None
    assert counts["Prefer not to say"] == 0
    assert table.answered == 37
    assert not table.has_figures


def test_profile_reads_each_question_against_its_figures() -> None:
    block = [q for q in equalities.questions(["North", "South"]) if q.key in ("sex", "locality")]
    answers = [{"sex": "female", "locality": "North"}] * 80 + [{"sex": "male"}] * 20
    tables = profile(block, answers, {"locality": {"North": 500, "South": 500}}, {"locality": "X"})
    sex, locality = tables
    assert not sex.has_figures
    rows = {r.value: r for r in locality.rows}
    assert rows["North"].flag == "over"
    assert rows["South"].flag == "under"
    assert rows["South"].count == 0  # nobody from the South: a zero is shown, not hidden
    assert locality.source == "X"
