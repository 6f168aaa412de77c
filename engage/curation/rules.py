"""Pure rules of curation: the agreement between the machine's and the officers' assignments,
and which assignment a re-run keeps. No database here, so the numbers are easy to check by hand."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Agreement:
    """Sample-averaged F1 between two assignments of answers to themes."""

    f1: float | None  # None when neither assignment puts any answer in a theme
    answers: int  # answers in a theme in either assignment (the sample averaged over)
    changed: int  # of those, answers whose themes differ

    @property
    def percent(self) -> int | None:
        return None if self.f1 is None else round(100 * self.f1)


def sample_f1(
    machine: Mapping[int, Iterable[int]], curated: Mapping[int, Iterable[int]]
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


def baseline_themes(
    baseline: Mapping[str, Iterable[str]], origins: Mapping[int, Iterable[str]]
) -> dict[int, set[int]]:
    """The machine's first assignment in curated themes. A run theme key counts for the curated
    theme whose origins hold it (after a merge both sides' keys lead to the merged theme; a theme
    split off has no origins, so answers moved into it count as changed); a re-run's key
    "c<id>" is the curated theme itself."""
    theme_of_key = {key: theme_id for theme_id, keys in origins.items() for key in keys}
    theme_of_key |= {curated_key(theme_id): theme_id for theme_id in origins}
    return {
        int(answer_id): {theme_of_key[key] for key in keys if key in theme_of_key}
        for answer_id, keys in baseline.items()
    }


def new_answers(known: Iterable[int], machine: Mapping[int, Iterable[str]]) -> dict[int, list[str]]:
    """What a re-run adds to a curated set: the machine's themes for answers the set has never
    seen. Answers it already knows keep what officers made of them (moves, merges, splits and
    removals all stand), so an officer's edit always wins over the machine."""
    seen = set(known)
    return {answer_id: list(keys) for answer_id, keys in machine.items() if answer_id not in seen}
