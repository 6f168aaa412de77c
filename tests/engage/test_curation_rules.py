"""The agreement figure and the re-run rule, checked against numbers worked by hand."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from engage.curation import rules


def test_sample_f1_averages_each_answers_f1_over_answers_in_either_assignment():
    machine = {1: {10}, 2: {10, 11}, 3: {11}, 4: set(), 5: set()}
    curated = {1: {10}, 2: {10}, 3: {12}, 4: {12}}
    # Answer 1: 2*1/(1+1) = 1. Answer 2: 2*1/(2+1) = 2/3. Answer 3: 0. Answer 4: one side only, 0.
    # Answer 5 is in no theme on either side and is left out. Mean = (1 + 2/3 + 0 + 0) / 4 = 5/12.
    agreement = rules.sample_f1(machine, curated)
    assert agreement.f1 == pytest.approx(5 / 12)
    assert agreement.answers == 4
    assert agreement.changed == 3
    assert agreement.percent == 42


def test_identical_assignments_agree_fully_and_empty_ones_have_no_figure():
    same = {1: {1}, 2: {1, 2}}
    assert rules.sample_f1(same, same).f1 == 1.0
    assert rules.sample_f1({}, {}).f1 is None
    assert rules.sample_f1({1: set()}, {}).percent is None


def themes_of(sizes: dict[str, int]) -> dict[str, list[str]]:
    """A baseline with answers numbered from 1, in the machine themes given with their sizes."""
    baseline: dict[str, list[str]] = {}
    for key, size in sizes.items():
        for _ in range(size):
            baseline[str(len(baseline) + 1)] = [key]
    return baseline


def placed(*groups: tuple[int, Iterable[int]]) -> dict[int, set[int]]:
    """A curated assignment: each curated theme id with the answers it holds."""
    curated: dict[int, set[int]] = {}
    for theme_id, answers in groups:
        for answer_id in answers:
            curated.setdefault(answer_id, set()).add(theme_id)
    return curated


def test_a_rename_keeps_full_agreement():
    # Machine themes "a" (answers 1-6) and "b" (7-16) became curated themes 51 and 52 under new
    # names: the ids differ from the keys but the grouping is the same.
    baseline = themes_of({"a": 6, "b": 10})
    agreement = rules.agreement(baseline, placed((51, range(1, 7)), (52, range(7, 17))))
    assert agreement == rules.Agreement(1.0, 16, 0)
    assert agreement.percent == 100


def test_merging_a_into_b_leaves_the_smaller_theme_without_a_partner():
    # A (6 answers) merged into B (10): B pairs with the merged theme, A with nothing, so A's six
    # answers changed and 10 of 16 agree.
    baseline = themes_of({"a": 6, "b": 10})
    agreement = rules.agreement(baseline, placed((52, range(1, 17))))
    assert agreement.f1 == pytest.approx(10 / 16)
    assert agreement.answers == 16
    assert agreement.changed == 6
    # Kept under A's theme instead, the figure is the same: the direction of a merge is no matter.
    assert rules.agreement(baseline, placed((51, range(1, 17)))) == agreement


def test_splitting_b_changes_the_smaller_part():
    # B (10 answers) split into B1 (7) and B2 (3): B pairs with B1, so B2's 3 answers changed.
    baseline = themes_of({"b": 10})
    agreement = rules.agreement(baseline, placed((61, range(1, 8)), (62, range(8, 11))))
    assert agreement == rules.Agreement(pytest.approx(0.7), 10, 3)


def test_moving_two_answers_from_a_to_b_changes_two():
    baseline = themes_of({"a": 6, "b": 10})
    agreement = rules.agreement(baseline, placed((51, range(1, 5)), (52, range(5, 17))))
    assert agreement.f1 == pytest.approx(14 / 16)
    assert agreement.changed == 2
    # Taking them out of every theme instead changes them too.
    taken_out = rules.agreement(baseline, placed((51, range(1, 5)), (52, range(7, 17))))
    assert (taken_out.f1, taken_out.answers, taken_out.changed) == (pytest.approx(14 / 16), 16, 2)


def test_answers_with_several_themes_are_scored_theme_by_theme():
    # Answer 3 is in both machine themes. After merging a into b, a has no partner: answer 3
    # keeps b (F1 2*1/(2+1) = 2/3), answers 1 and 2 score 0 and 4-6 score 1: (2/3 + 3) / 6.
    baseline = {"1": ["a"], "2": ["a"], "3": ["a", "b"], "4": ["b"], "5": ["b"], "6": ["b"]}
    merged = rules.agreement(baseline, placed((52, range(1, 7))))
    assert merged.f1 == pytest.approx(11 / 18)
    assert merged.changed == 3
    # Unchanged, the answer in two themes agrees fully.
    same = rules.agreement(baseline, placed((51, range(1, 4)), (52, range(3, 7))))
    assert same == rules.Agreement(1.0, 6, 0)


def test_each_theme_has_at_most_one_partner_and_the_most_answers_stay_together():
    # a (answers 1-5) shares 3 answers with 71 and 2 with 72; b (6-7) shares 2 with 71. Pairing
    # the largest overlap first (a-71) would leave b nothing: 3 together. a-72 and b-71 keep 4.
    machine = {1: ["a"], 2: ["a"], 3: ["a"], 4: ["a"], 5: ["a"], 6: ["b"], 7: ["b"]}
    curated = placed((71, [1, 2, 3, 6, 7]), (72, [4, 5]))
    assert rules.match_themes(machine, curated) == {"a": 72, "b": 71}
    agreement = rules.agreement({str(a): keys for a, keys in machine.items()}, curated)
    assert (agreement.f1, agreement.changed) == (pytest.approx(4 / 7), 3)
    # Themes sharing no answer are not paired.
    assert rules.match_themes({1: ["a"]}, {2: {71}}) == {}


def test_a_reruns_key_is_the_curated_theme_itself_while_it_exists():
    # The first run put answers 1-2 in t1 (curated theme 5); a re-run put answer 3 in c5.
    baseline = {"1": ["t1"], "2": ["t1"], "3": ["c5"], "4": []}
    assert rules.agreement(baseline, placed((5, range(1, 4))), [5]) == rules.Agreement(1.0, 3, 0)
    # Theme 5 later merged into theme 6 (answers 5-8): t1 and c5 are machine themes like any other.
    baseline |= {str(a): ["t2"] for a in range(5, 9)}
    merged = rules.agreement(baseline, placed((6, [1, 2, 3, 5, 6, 7, 8])), [6])
    assert merged.changed == 3
    assert merged.f1 == pytest.approx(4 / 7)


def test_no_answers_in_any_theme_have_no_figure():
    assert rules.agreement({}, {}).f1 is None
    assert rules.agreement({"1": [], "2": []}, {}) == rules.Agreement(None, 0, 0)
    assert rules.agreement({"1": []}, {}).percent is None


def test_a_rerun_adds_only_answers_the_curated_set_has_never_seen():
    machine = {1: ["c5"], 2: ["c6"], 3: ["c5"], 4: []}
    # Answer 1 was moved by an officer, answer 2 taken out of every theme: both stay as they are.
    added = rules.new_answers({1, 2}, machine)
    assert added == {3: ["c5"], 4: []}


def test_curated_keys_round_trip():
    assert rules.curated_key(12) == "c12"
    assert rules.theme_of_curated_key("c12") == 12
    assert rules.theme_of_curated_key("transport") is None
    assert rules.theme_of_curated_key("c") is None
