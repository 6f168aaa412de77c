import math

import pytest

from analysis.metrics import coverage, npmi_coherence, stability, theme_npmi, topic_diversity

# a in 3 of 4 answers, b in 2 (always with a), c in 2 (once with a, never with b)
DOCS = [{"a", "b"}, {"a", "b"}, {"a", "c"}, {"c"}]
NPMI_AB = math.log(4 / 3) / math.log(2)  # P(ab)=1/2, P(a)=3/4, P(b)=1/2
NPMI_AC = math.log(2 / 3) / math.log(4)  # P(ac)=1/4, P(a)=3/4, P(c)=1/2


def test_npmi_of_one_pair_matches_the_formula():
    assert theme_npmi(["a", "b"], DOCS) == pytest.approx(NPMI_AB)
    assert theme_npmi(["a", "c"], DOCS) == pytest.approx(NPMI_AC)
    assert theme_npmi(["b", "c"], DOCS) == -1.0  # never together


def test_npmi_is_one_for_terms_that_always_appear_together():
    assert theme_npmi(["x", "y"], [{"x", "y"}, {"x", "y"}, {"w"}]) == pytest.approx(1.0)


def test_npmi_averages_pairs_and_only_counts_the_top_terms():
    assert theme_npmi(["a", "b", "c"], DOCS) == pytest.approx((NPMI_AB + NPMI_AC - 1.0) / 3)
    assert theme_npmi(["a", "b", "c"], DOCS, top_n=2) == pytest.approx(NPMI_AB)
    assert theme_npmi(["a", "a", "b"], DOCS) == pytest.approx(NPMI_AB)  # repeats count once


def test_coherence_averages_themes_and_skips_those_without_two_known_terms():
    assert math.isnan(theme_npmi(["a", "unseen"], DOCS))
    topics = [["a", "b"], ["b", "c"], ["a", "unseen"]]
    assert npmi_coherence(topics, DOCS) == pytest.approx((NPMI_AB - 1.0) / 2)
    assert math.isnan(npmi_coherence([["unseen", "a"]], DOCS))


def test_diversity_is_unique_top_words_over_all_top_words():
    assert topic_diversity([["a", "b", "c"], ["a", "d", "e"]]) == pytest.approx(5 / 6)
    assert topic_diversity([["a", "b", "x"], ["a", "b", "y"]], top_n=2) == 0.5
    assert topic_diversity([["a", "b"], ["c", "d"]]) == 1.0
    assert math.isnan(topic_diversity([]))


def test_coverage_is_the_share_of_answers_in_some_theme():
    assert coverage(["t1", None, "t2", "t1"]) == 0.75
    assert coverage([None, None]) == 0.0
    assert math.isnan(coverage([]))


def test_stability_ignores_theme_names_and_treats_unassigned_answers_as_one_group():
    first = {"1": "t1", "2": "t1", "3": None, "4": None}
    assert stability(first, {"1": "x", "2": "x", "3": "y", "4": "y"}) == 1.0
    assert stability(first, {"4": 7, "3": 7, "2": 5, "1": 5}) == 1.0


def test_stability_is_zero_for_a_grouping_no_better_than_chance():
    # contingency [[2, 0], [1, 1]]: index 1, expected 2*3/6 = 1, max 2.5, so ARI = 0
    first = {"1": "p", "2": "p", "3": "q", "4": "q"}
    assert stability(first, {"1": "x", "2": "x", "3": "x", "4": "y"}) == pytest.approx(0.0)


def test_stability_compares_only_the_answers_both_runs_saw():
    first = {"1": "a", "2": "a", "3": "b", "4": "b", "only-first": "b"}
    second = {"1": "x", "2": "x", "3": "y", "4": "y", "only-second": "x"}
    assert stability(first, second) == 1.0
    assert math.isnan(stability({"1": "a"}, {"1": "a", "2": "b"}))
