"""The agreement figure and the re-run rule, checked against numbers worked by hand."""

from __future__ import annotations

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


def test_baseline_follows_origins_through_a_merge_and_not_into_a_split():
    baseline = {"1": ["t1"], "2": ["t2"], "3": ["t1", "t2"], "4": ["c7"], "5": []}
    # t1 and t2 were merged into curated theme 5; theme 6 was split off and has no origins.
    origins = {5: ["t1", "t2"], 6: [], 7: []}
    assert rules.baseline_themes(baseline, origins) == {1: {5}, 2: {5}, 3: {5}, 4: {7}, 5: set()}


def test_baseline_drops_keys_of_themes_that_are_gone():
    assert rules.baseline_themes({"1": ["t9"]}, {5: ["t1"]}) == {1: set()}


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
