"""Typical answers to quote for each theme, diversified so three quotes say three things.

The most typical answers of a theme (highest weight) tend to be near copies of one another;
maximal marginal relevance trades a little typicality for variety. Candidates are unique texts,
so the same words are never quoted twice. The "Other" group (answers no theme covers) is quoted
the same way, typicality being closeness to the group's centroid; the "no substantive comment"
group is quoted by its commonest distinct answers ("No", "N/A"), so officers see what it holds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from analysis.preprocess import clean, duplicate_key

# Weight of typicality against novelty in maximal marginal relevance.
MMR_LAMBDA = 0.6
# Answers this similar to a chosen quote are near copies (a typo apart) and are never both quoted.
NEAR_COPY = 0.7
N_QUOTES = 3
# Only the most typical answers are considered; beyond them quotes stop being typical.
POOL = 50
# Very short answers are typical but say little; they are down-weighted below this many terms.
FULL_LENGTH = 6


def pick_quotes(
    x: sp.csr_matrix,
    weights: np.ndarray,
    candidates: np.ndarray,
    n_terms: np.ndarray,
    n: int = N_QUOTES,
) -> list[int]:
    """Indices of up to n unique docs among `candidates`, typical first, then diverse (MMR)."""
    if candidates.size == 0:
        return []
    relevance = weights[candidates] * np.sqrt(np.minimum(1.0, n_terms[candidates] / FULL_LENGTH))
    order = np.argsort(-relevance, kind="stable")[:POOL]
    pool = candidates[order]
    relevance = relevance[order]
    if relevance[0] > 0:
        relevance = relevance / relevance[0]
    similarity = np.asarray((x[pool] @ x[pool].T).todense())
    chosen: list[int] = []
    closest = np.zeros(pool.size)
    available = np.ones(pool.size, dtype=bool)
    while len(chosen) < min(n, pool.size):
        score = MMR_LAMBDA * relevance - (1 - MMR_LAMBDA) * closest
        score[~available] = -np.inf
        best = int(np.argmax(score))
        chosen.append(int(pool[best]))
        available[best] = False
        available &= similarity[best] < NEAR_COPY
        closest = np.maximum(closest, similarity[best])
        if not available.any():
            break
    return chosen


def other_quotes(x: sp.csr_matrix, docs: np.ndarray, n_terms: np.ndarray) -> list[int]:
    """Up to N_QUOTES of `docs` (answers in no theme): closest to their centroid, diversified."""
    if docs.size == 0:
        return []
    centroid = normalize(np.asarray(x[docs].sum(axis=0)))
    weights = np.zeros(x.shape[0])
    weights[docs] = np.asarray(x[docs] @ centroid.T).ravel()
    return pick_quotes(x, weights, docs, n_terms)


def commonest_non_answers(
    texts: Sequence[str | None], answer_doc: Sequence[int], n: int = N_QUOTES
) -> list[int]:
    """Index of the first answer of each of the n commonest distinct non-answers, commonest first.

    Answers are the same non-answer when they share their words ("No." and "no"); blank answers
    are counted in the group but never quoted, since there is nothing to read. Ties keep the order
    in which the answers came.
    """
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for index, (text, doc) in enumerate(zip(texts, answer_doc, strict=True)):
        if doc >= 0:
            continue
        key = duplicate_key(clean("" if text is None else str(text)))
        if not key:
            continue
        counts[key] += 1
        first.setdefault(key, index)
    return [first[key] for key, _ in counts.most_common(n)]
