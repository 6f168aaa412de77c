"""Year-on-year statistics and matching (surveys.trends): no app, no database."""

from __future__ import annotations

import itertools

import pytest
from scipy.stats import chi2_contingency, fisher_exact

from surveys import trends
from surveys.models import Question
from surveys.options import option_list
from surveys.questions.choice import LIKERT

LIKERT_OPTIONS = option_list(LIKERT)  # o1 Strongly agree ... o5 Strongly disagree


def matrix(qid: int, title: str, rows: list[str], copied_from: int | None = None) -> Question:
    return Question(
        id=qid,
        type="matrix",
        title=title,
        options=LIKERT_OPTIONS,
        settings={"rows": option_list(rows, prefix="r")},
        copied_from_id=copied_from,
    )


# --- The tests of a change, against textbook and independently computed numbers -------------


def test_two_proportion_z_matches_the_openintro_mammogram_example():
    # OpenIntro Statistics (4th ed., section 6.2): 500 of 44,925 deaths with mammograms against
    # 505 of 44,910 without; the book gives |Z| = 0.17 and a p-value of 0.87 (it rounds the
    # standard error to 0.00070 first, so its second decimal differs slightly).
    result = trends.two_proportion_z(505, 44_910, 500, 44_925)
    assert result.z == pytest.approx(-0.17, abs=0.01)
    assert result.p_value == pytest.approx(0.87, abs=0.01)


def test_two_proportion_z_by_hand():
    # 50 of 100 then 60 of 100: pooled 0.55, SE = sqrt(.55 * .45 * .02) = 0.070356,
    # z = 0.10 / 0.070356 = 1.4213, two-sided p = 0.1552.
    result = trends.two_proportion_z(50, 100, 60, 100)
    assert result.z == pytest.approx(1.4213, abs=1e-4)
    assert result.p_value == pytest.approx(0.1552, abs=1e-4)


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2"), [(12, 40, 25, 41), (30, 80, 31, 75), (7, 20, 15, 22)]
)
def test_z_squared_is_pearsons_chi_square(x1, n1, x2, n2):
    table = [[x1, n1 - x1], [x2, n2 - x2]]
    chi2, p, _, _ = chi2_contingency(table, correction=False)
    result = trends.two_proportion_z(x1, n1, x2, n2)
    assert result.z**2 == pytest.approx(chi2)
    assert result.p_value == pytest.approx(p)


def test_fisher_matches_the_lady_tasting_tea():
    # Fisher (1935): 3 of 4 milk-first cups named correctly; two-sided p = 34/70 = 0.4857.
    assert trends.fisher_exact(3, 4, 1, 4).p_value == pytest.approx(34 / 70)


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2"), [(1, 10, 7, 12), (0, 10, 5, 10), (9, 10, 10, 10), (2, 15, 3, 11)]
)
def test_fisher_matches_scipy(x1, n1, x2, n2):
    expected = fisher_exact([[x1, n1 - x1], [x2, n2 - x2]]).pvalue
    assert trends.fisher_exact(x1, n1, x2, n2).p_value == pytest.approx(expected)


def test_small_groups_use_fishers_test_and_large_ones_the_z_test():
    small = trends.share_test(trends.Figures(10, 9, 40), trends.Figures(12, 4, 40))
    assert small.method == "Fisher's exact test"
    large = trends.share_test(trends.Figures(100, 50, 300), trends.Figures(100, 60, 300))
    assert large.method == "two-proportion z-test"


def test_no_one_agreeing_either_year_is_no_change():
    assert trends.two_proportion_z(0, 30, 0, 40).p_value == 1.0


# --- Scoring --------------------------------------------------------------------------------


def test_likert_scores_five_for_strongly_agree_and_counts_the_top_two_as_agreeing():
    scale = trends.scale(LIKERT_OPTIONS)
    assert [scale.scores[f"o{i}"] for i in range(1, 6)] == [5, 4, 3, 2, 1]
    assert scale.agree == {"o1", "o2"}


def test_a_scale_running_from_disagree_to_agree_scores_the_same_way():
    scale = trends.scale(option_list(reversed(LIKERT)))
    assert scale.scores["o5"] == 5  # Strongly agree, last
    assert scale.agree == {"o4", "o5"}


def test_dont_know_is_off_the_scale():
    options = option_list([*LIKERT, "Don't know"])
    scale = trends.scale(options)
    assert "o6" not in scale.scores
    figures = trends.figures(["o1", "o6", "o4", None], scale)
    assert (figures.n, figures.agree, figures.total) == (2, 1, 7)
    assert figures.share == 0.5
    assert figures.mean == 3.5


def test_groups_under_ten_are_not_shown():
    assert not trends.Figures(9, 5, 30).shown
    assert trends.Figures(10, 5, 30).shown


# --- Comparing ------------------------------------------------------------------------------


def test_a_significant_rise_is_up_and_a_small_one_is_no_significant_change():
    before = trends.Figures(100, 40, 300)
    up = trends.compare(trends.Figures(100, 60, 330), before)
    assert up.direction == trends.Direction.UP
    assert up.points == pytest.approx(20)
    assert up.mean_change == pytest.approx(0.3)
    same = trends.compare(trends.Figures(100, 45, 305), before)
    assert same.direction == trends.Direction.SAME
    down = trends.compare(trends.Figures(100, 20, 250), before)
    assert down.direction == trends.Direction.DOWN


def test_no_comparison_when_either_year_is_too_small():
    assert trends.compare(trends.Figures(50, 40, 200), trends.Figures(8, 1, 20)).direction is None
    assert trends.compare(trends.Figures(9, 9, 45), trends.Figures(50, 10, 100)).points is None
    assert trends.compare(trends.Figures(50, 40, 200), None).direction is None


# --- Matching last year's statements -------------------------------------------------------


def test_a_copied_question_finds_its_original_even_when_reworded():
    before = [matrix(1, "About leadership", ["Leaders are committed"])]
    after = [matrix(11, "How far do you agree about leaders?", ["Leaders are committed"], 1)]
    assert trends.match_questions(after, before) == {11: before[0]}


def test_separately_built_surveys_match_on_wording():
    before = [matrix(1, "About leadership", ["A"]), matrix(2, "About vision", ["B"])]
    after = [matrix(12, "About vision.", ["B"]), matrix(13, "Something new", ["C"])]
    assert trends.match_questions(after, before) == {12: before[1]}


def test_rows_of_a_copy_match_by_value_so_a_reworded_statement_keeps_its_history():
    then = [{"value": "r1", "label": "Partners share information"}, {"value": "r2", "label": "B"}]
    now = [
        {"value": "r2", "label": "B"},
        {"value": "r1", "label": "Partners share information well"},  # reworded
        {"value": "r3", "label": "A new statement"},
    ]
    assert trends.match_choices(now, then, linked=True) == {"r1": "r1", "r2": "r2"}


def test_rows_of_separate_surveys_match_by_wording_not_position():
    then = [{"value": "r1", "label": "Alpha"}, {"value": "r2", "label": "Beta"}]
    now = [{"value": "r1", "label": "beta"}, {"value": "r2", "label": "Gamma"}]
    assert trends.match_choices(now, then, linked=False) == {"r1": "r2"}


def test_items_pair_each_statement_with_last_years():
    before = [matrix(1, "Leadership", ["Leaders are committed", "The Board decides"])]
    after = matrix(11, "Leadership", [], copied_from=1)
    # As the builder leaves it when "The Board decides" is removed and a statement added.
    after.settings = {
        "rows": [{"value": "r1", "label": "Leaders are committed"}, {"value": "r3", "label": "New"}]
    }
    found = trends.items([after], before)
    assert [(i.label, i.twin_row) for i in found] == [
        ("Leaders are committed", "r1"),
        ("New", None),
    ]
    assert found[1].twin is None


def test_the_organisation_question_is_found_by_its_wording_or_its_options():
    role = Question(id=1, type="single_choice", title="Your role?", options=[])
    named = Question(
        id=2,
        type="single_choice",
        title="Where do you work?",
        options=option_list(["Craigmuir Council", "NHS Craigmuir", "Other"]),
    )
    asked = Question(id=3, type="single_choice", title="Which partner organisation?", options=[])
    assert trends.partner_question([role, named, asked]) is asked
    assert trends.partner_question([role, named], ["Craigmuir Council", "NHS Craigmuir"]) is named
    assert trends.partner_question([role, named]) is None


# --- A whole statement, by group ------------------------------------------------------------


def test_change_for_one_statement_counts_each_years_answers():
    before = matrix(1, "Joint working", ["Partners share information well"])
    after = matrix(11, "Joint working", ["Partners share information well"], copied_from=1)
    (item,) = trends.items([after], [before])
    then = [trends.Respondent("o1", {1: {"r1": v}}) for v in ["o2"] * 20 + ["o4"] * 30]
    now = [trends.Respondent("o1", {11: {"r1": v}}) for v in ["o1"] * 35 + ["o3"] * 15]
    result = trends.change(item, now, then)
    assert (result.previous.n, result.previous.agree) == (50, 20)
    assert (result.current.n, result.current.agree) == (50, 35)
    assert result.points == pytest.approx(30)
    assert result.direction == trends.Direction.UP
    assert result.test.method == "two-proportion z-test"


def test_response_rates_count_each_partners_answers():
    rates = trends.response_rates(
        ["o1"] * 12 + ["o2"] * 3 + [None], {"o1": 20, "o2": 4}, ["o1", "o2", "o3"]
    )
    assert rates["o1"].rate == pytest.approx(0.6)
    assert rates["o1"].shown
    assert not rates["o2"].shown  # 3 people: "fewer than 10"
    assert rates["o3"] == trends.Rate(0, None)
    assert rates["o3"].rate is None


def test_every_test_gives_a_probability():
    for x1, x2 in itertools.product(range(0, 11, 5), repeat=2):
        result = trends.share_test(trends.Figures(10, x1, 30), trends.Figures(10, x2, 30))
        assert 0 <= result.p_value <= 1
