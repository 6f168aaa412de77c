"""Stratified samples of the panel, proportional to each stratum's size.

Pure functions over (id, profile) pairs, so the rule is tested without a database.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from math import floor

Stratum = tuple[str, ...]
NOT_GIVEN = ""


def stratum_of(profile: Mapping[str, str], keys: Sequence[str]) -> Stratum:
    return tuple(str(profile.get(key) or NOT_GIVEN) for key in keys)


def allocate(sizes: Mapping[Stratum, int], n: int) -> dict[Stratum, int]:
    """How many to take from each stratum: ``n`` shared in proportion to the sizes.

    Largest remainders (Hamilton's method): each stratum gets the whole part of its exact
    share, and the places left go to the largest fractions (ties by stratum, so the same panel
    always gives the same allocation). No stratum gets more than it has.
    """
    total = sum(sizes.values())
    n = max(0, min(n, total))
    if total == 0 or n == 0:
        return dict.fromkeys(sizes, 0)
    exact = {s: n * size / total for s, size in sizes.items()}
    quota = {s: min(sizes[s], floor(x)) for s, x in exact.items()}
    left = n - sum(quota.values())
    order = sorted(sizes, key=lambda s: (-(exact[s] - floor(exact[s])), s))
    while left > 0:
        for s in order:
            if left and quota[s] < sizes[s]:
                quota[s] += 1
                left -= 1
    return quota


def stratified_sample(
    members: Sequence[tuple[int, Mapping[str, str]]],
    keys: Sequence[str],
    n: int,
    *,
    seed: int | None = None,
) -> list[int]:
    """Ids of ``n`` members, each stratum (combination of ``keys``' values) represented in
    proportion to its share of ``members``; members chosen at random within a stratum.

    With no keys this is a simple random sample; with ``n`` at least the panel's size, everyone.
    """
    groups: dict[Stratum, list[int]] = {}
    for member_id, profile in members:
        groups.setdefault(stratum_of(profile, keys), []).append(member_id)
    quota = allocate({s: len(ids) for s, ids in groups.items()}, n)
    rng = random.Random(seed)  # noqa: S311 - sampling, not security  # nosec B311
    chosen: list[int] = []
    for stratum in sorted(groups):
        ids = sorted(groups[stratum])
        chosen += rng.sample(ids, quota[stratum])
    return sorted(chosen)
