"""The stratified sample: each stratum gets its proportional share, exactly as asked."""

from __future__ import annotations

from collections import Counter

import pytest

from engage.panel.sampling import allocate, stratified_sample, stratum_of


def panel(spec: dict[tuple[str, str], int]) -> list[tuple[int, dict[str, str]]]:
    members, n = [], 0
    for (locality, age), count in spec.items():
        for _ in range(count):
            n += 1
            members.append((n, {"locality": locality, "age_band": age}))
    return members


def test_allocation_is_proportional_and_adds_up():
    assert allocate({("a",): 60, ("b",): 30, ("c",): 10}, 20) == {("a",): 12, ("b",): 6, ("c",): 2}
    # Largest remainders: 10 * (1/3 each) = 3.33 -> 4, 3, 3 with ties broken by stratum.
    assert allocate({("a",): 5, ("b",): 5, ("c",): 5}, 10) == {("a",): 4, ("b",): 3, ("c",): 3}
    assert allocate({("a",): 2}, 10) == {("a",): 2}
    assert allocate({}, 5) == {}


@pytest.mark.parametrize("n", [1, 7, 50, 99, 150])
def test_sample_strata_are_as_asked(n):
    members = panel(
        {
            ("North", "16-24"): 15,
            ("North", "65-74"): 45,
            ("South", "16-24"): 30,
            ("South", "65-74"): 60,
        }
    )
    chosen = set(stratified_sample(members, ["locality", "age_band"], n, seed=1))
    assert len(chosen) == n
    profile = dict(members)
    got = Counter(stratum_of(profile[i], ["locality", "age_band"]) for i in chosen)
    sizes = Counter(stratum_of(p, ["locality", "age_band"]) for _, p in members)
    for stratum, size in sizes.items():
        exact = n * size / len(members)
        assert abs(got.get(stratum, 0) - exact) < 1, (stratum, got, exact)


def test_one_key_balances_that_key_only():
    members = panel({("North", "16-24"): 10, ("South", "16-24"): 30})
    chosen = stratified_sample(members, ["locality"], 8, seed=3)
    localities = Counter(dict(members)[i]["locality"] for i in chosen)
    assert localities == {"North": 2, "South": 6}


def test_members_missing_an_answer_form_their_own_stratum_and_sampling_repeats():
    members = [(1, {"locality": "North"}), (2, {}), (3, {}), (4, {"locality": "North"})]
    assert stratified_sample(members, ["locality"], 2, seed=5) == stratified_sample(
        members, ["locality"], 2, seed=5
    )
    chosen = stratified_sample(members, ["locality"], 2, seed=5)
    assert len([i for i in chosen if i in (2, 3)]) == 1


def test_a_sample_as_big_as_the_panel_is_everyone():
    members = panel({("North", "16-24"): 3})
    assert stratified_sample(members, ["locality"], 10) == [1, 2, 3]
