"""Quality of themes found without gold labels: coherence, diversity, coverage and stability.

These are the guide's label-free measures, used by the benchmark on real civic comments and
usable by the worker as a live check. Each takes plain Python values (term lists, token sets,
answer-to-theme maps), so the same figures can be computed for the engine and for any baseline.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from itertools import combinations

from sklearn.metrics import adjusted_rand_score

TOP_N = 10
# Answers in no theme ("Other" or no substantive comment) form one group of their own when runs are
# compared, so a run that leaves answers out is not rewarded for it.
_UNASSIGNED = "\x00unassigned"


def _pair_npmi(both: int, first: int, second: int, n_docs: int) -> float:
    """NPMI of two terms from document counts; -1 when they never share a document."""
    if both == 0:
        return -1.0
    p_both = both / n_docs
    if p_both >= 1.0:
        return 1.0  # both in every document: perfectly associated, and log(1) would divide by 0
    pmi = math.log(p_both / ((first / n_docs) * (second / n_docs)))
    return pmi / -math.log(p_both)


def _index(docs: Sequence[Collection[str]]) -> dict[str, set[int]]:
    """Which documents hold each term."""
    holders: dict[str, set[int]] = {}
    for i, doc in enumerate(docs):
        for term in set(doc):
            holders.setdefault(term, set()).add(i)
    return holders


def _theme_npmi(
    terms: Sequence[str], holders: Mapping[str, set[int]], n_docs: int, top_n: int
) -> float:
    wanted = list(dict.fromkeys(terms))[:top_n]
    present = [t for t in wanted if holders.get(t)]
    if len(present) < 2:
        return math.nan
    values = [
        _pair_npmi(len(holders[a] & holders[b]), len(holders[a]), len(holders[b]), n_docs)
        for a, b in combinations(present, 2)
    ]
    return sum(values) / len(values)


def theme_npmi(terms: Sequence[str], docs: Sequence[Collection[str]], top_n: int = TOP_N) -> float:
    """Mean NPMI over pairs of a theme's first `top_n` terms that occur in `docs`; NaN if < 2.

    Terms that no document contains are skipped: they say nothing about co-occurrence and would
    otherwise make the logarithm undefined.
    """
    return _theme_npmi(terms, _index(docs), len(docs), top_n)


def npmi_coherence(
    topics: Sequence[Sequence[str]], docs: Sequence[Collection[str]], top_n: int = TOP_N
) -> float:
    """NPMI coherence of themes' top terms by document co-occurrence, averaged over themes.

    Ranges from -1 (top terms never appear together) to 1 (always together); themes with fewer
    than two known terms are left out of the mean, and NaN is returned when none is left.
    """
    holders = _index(docs)
    scores = [_theme_npmi(terms, holders, len(docs), top_n) for terms in topics]
    kept = [s for s in scores if not math.isnan(s)]
    return sum(kept) / len(kept) if kept else math.nan


def topic_diversity(topics: Sequence[Sequence[str]], top_n: int = TOP_N) -> float:
    """Unique words among the themes' top `top_n` terms over all of them: 1 = no theme repeats.

    With the usual `top_n` terms per theme this is unique / (top_n * k); themes with fewer terms
    count what they have, so a short term list is not mistaken for repetition.
    """
    tops = [list(dict.fromkeys(terms))[:top_n] for terms in topics]
    total = sum(len(top) for top in tops)
    if total == 0:
        return math.nan
    return len({term for top in tops for term in top}) / total


def coverage(primary: Iterable[Hashable | None]) -> float:
    """Share of answers in some theme: `primary` holds each answer's theme, None for none."""
    values = list(primary)
    if not values:
        return math.nan
    return sum(value is not None for value in values) / len(values)


def stability(first: Mapping[str, Hashable | None], second: Mapping[str, Hashable | None]) -> float:
    """Adjusted Rand index between two runs' primary themes over the answers both runs saw.

    Pass two runs with different seeds on the same answers, or two runs on overlapping
    subsamples; answers in no theme (None) are one group. NaN when fewer than two answers are
    shared. Theme ids need not match between runs: ARI compares groupings, not names.
    """
    shared = [key for key in first if key in second]
    if len(shared) < 2:
        return math.nan
    a = [_UNASSIGNED if first[key] is None else first[key] for key in shared]
    b = [_UNASSIGNED if second[key] is None else second[key] for key in shared]
    return float(adjusted_rand_score([str(x) for x in a], [str(x) for x in b]))
