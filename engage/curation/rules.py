"""Pure rules of curation: the agreement between the machine's and the officers' assignments,
and which assignment a re-run keeps. No database here, so the numbers are easy to check by hand."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from surveys.numbers import percent


@dataclass(frozen=True)
class Agreement:
    """Sample-averaged F1 between two assignments of answers to themes."""

    f1: float | None  # None when neither assignment puts any answer in a theme
    answers: int  # answers in a theme in either assignment (the sample averaged over)
    changed: int  # of those, answers whose themes differ

    @property
    def percent(self) -> int | None:
        return None if self.f1 is None else percent(self.f1)


def sample_f1(
    machine: Mapping[int, Iterable[Hashable]], curated: Mapping[int, Iterable[Hashable]]
) -> Agreement:
    """For each answer in a theme in either assignment, F1 = 2|M ∩ C| / (|M| + |C|) of its theme
    sets; the figure is their mean. An answer with themes on one side only scores 0."""
    total = 0.0
    counted = changed = 0
    for answer_id in set(machine) | set(curated):
        m, c = set(machine.get(answer_id, ())), set(curated.get(answer_id, ()))
        if not m and not c:
            continue
        counted += 1
        total += 2 * len(m & c) / (len(m) + len(c))
        changed += m != c
    if not counted:
        return Agreement(None, 0, 0)
    return Agreement(total / counted, counted, changed)


CURATED_KEY = "c"  # a re-run's codebook ids are "c<curated theme id>"


def curated_key(theme_id: int) -> str:
    return f"{CURATED_KEY}{theme_id}"


def theme_of_curated_key(key: str) -> int | None:
    number = key.removeprefix(CURATED_KEY)
    return int(number) if key.startswith(CURATED_KEY) and number.isdigit() else None


def match_themes(
    machine: Mapping[int, Iterable[str]], curated: Mapping[int, Iterable[int]]
) -> dict[str, int]:
    """Pair machine themes (keys) with curated themes (ids) one to one, so that the paired themes
    share as many answers as possible. A theme left without a partner (the smaller side of a
    merge, the smaller part of a split) is missing from the result; so is a pair sharing nothing."""
    shared: dict[tuple[str, int], int] = defaultdict(int)
    for answer_id, keys in machine.items():
        themes = set(curated.get(answer_id, ()))
        for key in set(keys):
            for theme_id in themes:
                shared[key, theme_id] += 1
    if not shared:
        return {}
    keys = sorted({key for key, _ in shared})
    theme_ids = sorted({theme_id for _, theme_id in shared})
    weights = np.zeros((len(keys), len(theme_ids)))
    row = {key: i for i, key in enumerate(keys)}
    column = {theme_id: j for j, theme_id in enumerate(theme_ids)}
    for (key, theme_id), count in shared.items():
        weights[row[key], column[theme_id]] = count
    rows, columns = linear_sum_assignment(weights, maximize=True)
    return {keys[i]: theme_ids[j] for i, j in zip(rows, columns, strict=True) if weights[i, j] > 0}


@dataclass(frozen=True)
class Unmatched:
    """A machine theme with no curated partner: a label no curated theme has."""

    key: str


def agreement(
    baseline: Mapping[str, Iterable[str]],
    curated: Mapping[int, Iterable[int]],
    themes: Iterable[int] | None = None,
) -> Agreement:
    """How far the curated assignment agrees with the machine's first one, read as groupings.

    Each machine theme is paired with at most one curated theme and each curated theme with at
    most one machine theme, keeping as many answers as possible together (``match_themes``); the
    machine's assignment is translated through the pairs (a theme without a partner keeps a label
    of its own) and compared answer by answer (``sample_f1``). A rename changes nothing; a merge,
    a split or a moved answer does. Merging A (6 answers) into B (10): A has no partner left, so
    its 6 answers changed and 10 of 16 agree.

    A re-run's key "c<id>" is the curated theme ``id`` itself (the machine used it as a codebook
    entry), while that theme is still among ``themes`` (by default the themes ``curated`` uses);
    once it has gone it is one more machine theme to pair."""
    existing = set(themes) if themes is not None else {t for ids in curated.values() for t in ids}
    machine: dict[int, set[str]] = {int(a): set(keys) for a, keys in baseline.items()}
    fixed = {
        key: theme_id
        for keys in machine.values()
        for key in keys
        if (theme_id := theme_of_curated_key(key)) is not None and theme_id in existing
    }
    free = {a: keys - fixed.keys() for a, keys in machine.items()}
    pairs = match_themes(free, curated) | fixed
    translated = {
        answer_id: {pairs[key] if key in pairs else Unmatched(key) for key in keys}
        for answer_id, keys in machine.items()
    }
    return sample_f1(translated, curated)


def new_answers(known: Iterable[int], machine: Mapping[int, Iterable[str]]) -> dict[int, list[str]]:
    """What a re-run adds to a curated set: the machine's themes for answers the set has never
    seen. Answers it already knows keep what officers made of them (moves, merges, splits and
    removals all stand), so an officer's edit always wins over the machine."""
    seen = set(known)
    return {answer_id: list(keys) for answer_id, keys in machine.items() if answer_id not in seen}
