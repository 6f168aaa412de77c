"""Choosing the number of themes: over-segment with NMF, then merge themes that say the same thing.

Stability and coherence curves over k were too flat and noisy on real answers to pick from (and
stability favours two themes), so the count comes from merging instead: fit more themes than
anyone wants, then repeatedly fold a theme that is too small into its nearest neighbour, and merge
the two most similar themes while their answers read alike (cosine of theme centroids above a
threshold, raised where all parts read alike: MERGE_OVER_MEDIAN). Similarity between merged groups
is the size-weighted average over their original parts (weighted average linkage): recomputing a
centroid for a merged group makes it look like everything, so merging runs away into one theme;
an unweighted average lets a small part that mixes two topics bridge them. Where topics are
distinct (planted test corpora) the threshold finds them; on messy real text similarity falls off
smoothly and the size-based cap (`limits_for`) decides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from analysis.factorise import factorise, memberships
from analysis.refine import refine

# Merge two themes while the weighted average cosine of their parts' centroids is at least this
# (planted corpora: same-topic parts 0.15-0.5, different topics below 0.1).
MERGE_SIMILARITY = 0.12
# ...and while at least this many times as alike as the median pair of over-segmented parts.
# Answers to one consultation question share much of their wording, so by the fixed bar alone
# every part looked like every other: the 1,000 synthetic ThemeFinder answers (12 gold themes)
# merged down to 2 themes, best F1 per gold theme 0.29; with this rule 8 themes and 0.68. Parts of
# the four standard short-text sets are less alike (median 0.04-0.09) and keep the fixed bar. A bar
# at the 80th percentile of pairs did better there (9 themes, 0.75) but raised agnews from 6 to 8
# themes (NMI 0.46 -> 0.39).
MERGE_OVER_MEDIAN = 1.3
# Themes with fewer respondents than this share (or MIN_THEME_SIZE) are folded into a neighbour.
MIN_THEME_SHARE = 0.02
MIN_THEME_SIZE = 4
# The most themes for n answers: K_SLOPE * ln(n) + K_OFFSET, at most K_CAP.
K_SLOPE = 2.0
K_OFFSET = -2.0
K_CAP = 20
# Over-segmentation is fitted on at most this many unique answers, to keep 10k answers fast.
SAMPLE_CAP = 3000


@dataclass(frozen=True)
class ThemeCountLimits:
    """How many themes people can use for a consultation of a given size."""

    k_min: int
    k_max: int
    k_start: int  # themes fitted before merging


def limits_for(n_docs: int) -> ThemeCountLimits:
    """More answers support more themes, slowly: about 8 for 100 answers, 20 at most."""
    k_max = max(2, min(K_CAP, round(K_SLOPE * math.log(max(n_docs, 2)) + K_OFFSET)))
    k_max = min(k_max, max(2, n_docs // 3))
    k_start = max(k_max, min(2 * k_max, n_docs // 5))
    return ThemeCountLimits(k_min=min(2, k_max), k_max=k_max, k_start=k_start)


def _centroid_similarity(x: sp.csr_matrix, primary: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Cosine between the mean TF-IDF rows of each theme's answers (its H row if it has none)."""
    k = h.shape[0]
    assigned = np.flatnonzero(primary >= 0)
    membership = sp.csr_matrix(
        (np.ones(assigned.size), (primary[assigned], assigned)), shape=(k, x.shape[0])
    )
    centroids = np.asarray((membership @ x).todense())
    empty = np.asarray(membership.sum(axis=1)).ravel() == 0
    centroids[empty] = h[empty]
    centroids = normalize(centroids)
    return np.asarray(centroids @ centroids.T)


def merge_groups(
    similarity: np.ndarray,
    sizes: np.ndarray,
    limits: ThemeCountLimits,
    *,
    threshold: float = MERGE_SIMILARITY,
    min_size: float = 0.0,
) -> list[list[int]]:
    """Groups of component indices after merging; deterministic (ties go to the lowest index)."""
    groups: list[list[int]] = [[j] for j in range(similarity.shape[0])]
    part_weights = sizes + 0.5  # an empty part still needs a little weight to be placed
    while len(groups) > limits.k_min:
        member = np.zeros((len(groups), similarity.shape[0]))
        for g, parts in enumerate(groups):
            member[g, parts] = part_weights[parts]
        totals = member.sum(axis=1)
        linked = (member @ similarity @ member.T) / np.outer(totals, totals)
        np.fill_diagonal(linked, -np.inf)
        group_sizes = totals - 0.5 * (member > 0).sum(axis=1)
        smallest = int(np.argmin(group_sizes))
        if group_sizes[smallest] < min_size:
            a, b = smallest, int(np.argmax(linked[smallest]))
        else:
            a, b = (int(v) for v in np.unravel_index(np.argmax(linked), linked.shape))
            if len(groups) <= limits.k_max and linked[a, b] < threshold:
                break
        keep, drop = min(a, b), max(a, b)
        groups[keep] = sorted(groups[keep] + groups[drop])
        del groups[drop]
    return groups


def choose_initial_themes(
    x: sp.csr_matrix, doc_counts: np.ndarray, *, seed: int
) -> npt.NDArray[np.float64]:
    """Initial theme term vectors (rows) for the final fit; their number is the chosen k."""
    n_docs = x.shape[0]
    limits = limits_for(n_docs)
    if n_docs > SAMPLE_CAP:
        rng = np.random.default_rng(seed)
        sample = np.sort(rng.choice(n_docs, size=SAMPLE_CAP, replace=False))
        x, doc_counts = sp.csr_matrix(x[sample]), doc_counts[sample]
    # Hard EM only, without drawn steps (analysis/refine.py): the number of themes is chosen as
    # before. Drawing here as well made no difference to NMI on bench/themes.py's four sets.
    over = refine(x, factorise(x, limits.k_start, seed=seed), seed=seed, drawn_steps=0).factors
    primary, _ = memberships(over.w)
    sizes = np.array(
        [doc_counts[primary == j].sum() for j in range(limits.k_start)], dtype=np.float64
    )
    similarity = _centroid_similarity(x, primary, over.h)
    pairs = similarity[~np.eye(similarity.shape[0], dtype=bool)]
    threshold = max(MERGE_SIMILARITY, MERGE_OVER_MEDIAN * float(np.median(pairs)))
    groups = merge_groups(
        similarity,
        sizes,
        limits,
        threshold=threshold,
        min_size=max(MIN_THEME_SIZE, MIN_THEME_SHARE * float(doc_counts.sum())),
    )
    mass = over.w.sum(axis=0)
    initial = np.vstack([(mass[parts, None] * over.h[parts]).sum(axis=0) for parts in groups])
    unit_rows: npt.NDArray[np.float64] = normalize(initial)
    return unit_rows
