"""Typical answers to quote for each theme, diversified so three quotes say three things.

The most typical answers of a theme (highest weight) tend to be near copies of one another;
maximal marginal relevance trades a little typicality for variety. Candidates are unique texts,
so the same words are never quoted twice.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

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
