"""Sharpening NMF themes with a mixture of unigrams, the model that suits short answers.

NMF spreads a short answer's few words over several themes, and its argmax often follows one
common word. A mixture of multinomials ("one main point per answer", as in GSDMM for short text)
started from the NMF assignment and refined by a few EM steps moves each answer to the theme
whose vocabulary explains all its words together. In bench/themes.py at the gold k it raised NMI
on all four standard short-text sets (searchsnippets 0.36 -> 0.45, biomedical 0.31 -> 0.36) for
about a second on 20,000 answers. The main theme comes from the mixture; further themes still
come from NMF-style weights against the refined themes, so an answer can raise several points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.special import logsumexp
from sklearn.decomposition import non_negative_factorization
from sklearn.preprocessing import normalize

from analysis.factorise import WEIGHT_FLOOR, Factors

# TF-IDF rows have unit length; scaling them sets how sharply an answer's words pick a theme.
SHARPNESS = 3.0
# Smoothing of each theme's word distribution (a Dirichlet prior on the multinomials), as a share
# of the mean weight a theme gives a term, so it means the same at 300 answers and at 100,000. A
# fixed prior (0.1, until session 6) was strong for the over-segmentation's small themes and weak
# for the final themes of 20,000 answers, where a term used by six answers that happened to share
# a theme then outweighed the words they shared with the rest of their topic. bench/themes.py,
# seed 0, automatic k, NMI fixed -> relative: biomedical 0.390 -> 0.398, searchsnippets 0.517 ->
# 0.555, agnews 0.415 -> 0.461, stackoverflow 0.740 -> 0.740 (a fixed 2.0 collapsed biomedical
# to 3 themes: too strong for the small parts of the over-segmentation).
PRIOR = 0.5
EM_STEPS = 30
# Stop early once fewer than this share of answers change theme in a step.
SETTLED = 0.001
# Steps, before the hard ones, that draw each answer's theme at random from its posterior
# (stochastic EM, Celeux and Diebolt 1985) instead of taking the most likely one. Hard EM settles
# in the first local optimum near its start: an answer whose words fit two themes stays wherever
# NMF put it, and a theme that holds two topics keeps both. Drawing lets answers try the nearby
# theme, so a topic split across two themes can gather in one and free the other. bench/themes.py
# (medians of seeds 0-2, automatic k) NMI, hard EM -> as adopted (20 here, 5 per pass in
# analysis/iterate.py): searchsnippets 0.586 -> 0.605, stackoverflow 0.742 -> 0.748, biomedical
# 0.403 -> 0.415, agnews 0.496 -> 0.536. The trial that chose 20 (drawing everywhere, the
# over-segmentation too) gave, hard EM -> 10 drawn steps -> 20 -> 40: biomedical
# 0.403 -> 0.406 -> 0.415 -> 0.412, searchsnippets 0.586 -> 0.627 -> 0.633 -> 0.626, agnews
# 0.496 -> 0.524 -> 0.530 -> 0.536, stackoverflow 0.742 -> 0.748 -> 0.747 -> 0.746. Drawing from
# a flattened posterior (temperature 1.5, or annealed from 2 to 1) was no better overall, and a
# temperature of 2 throughout lost stackoverflow 0.04.
DRAWN_STEPS = 20
# ...but only with this many distinct answers or more. On smaller consultations the draws made the
# themes depend on the seed: on the Pol.is conversations (31-607 comments) the median ARI between
# two seeds fell from 0.98 to 0.85, so an officer re-running an analysis would see other themes.
# The same size as iterative classification's floor (analysis/iterate.py), for the same reason.
MIN_DRAWN_ANSWERS = 1_000


@dataclass(frozen=True)
class Refined:
    """Main theme per answer (from the mixture) and NMF-style factors against refined themes."""

    primary: np.ndarray  # (docs,) theme index, or -1 for an answer with no weight at all
    factors: Factors


def _draw(log_posterior: npt.NDArray[np.float64], rng: np.random.Generator) -> npt.NDArray[np.intp]:
    """One theme per row, drawn with the probabilities exp(log_posterior)."""
    cumulative = np.cumsum(np.exp(log_posterior), axis=1)
    cumulative /= cumulative[:, -1:]
    picks = (cumulative < rng.random((cumulative.shape[0], 1))).sum(axis=1)
    drawn: npt.NDArray[np.intp] = np.minimum(picks, cumulative.shape[1] - 1)
    return drawn


def mixture(
    x: sp.csr_matrix, start: np.ndarray, k: int, *, seed: int, drawn_steps: int = DRAWN_STEPS
) -> np.ndarray:
    """Classification EM for a mixture of multinomials over scaled TF-IDF weights.

    The first `drawn_steps` steps draw each answer's theme from its posterior (stochastic EM),
    from MIN_DRAWN_ANSWERS answers up; the rest take the most likely theme until hardly any answer
    moves.
    """
    x = sp.csr_matrix(x * SHARPNESS)
    n = x.shape[0]
    beta = max(PRIOR * float(x.sum()) / (k * max(x.shape[1], 1)), 1e-3)
    labels = start.copy()
    rng = np.random.default_rng(seed)
    if n < MIN_DRAWN_ANSWERS:
        drawn_steps = 0
    for step in range(drawn_steps + EM_STEPS):
        assigned = labels >= 0
        r = sp.csr_matrix(
            (np.ones(int(assigned.sum())), (np.flatnonzero(assigned), labels[assigned])),
            shape=(n, k),
        )
        sizes = np.asarray(r.sum(axis=0)).ravel()
        phi = np.asarray((r.T @ x).todense()) + beta
        log_phi = np.log(phi) - np.log(phi.sum(axis=1, keepdims=True))
        log_prior = np.log(sizes + 1.0) - np.log(sizes.sum() + k)
        log_like = np.asarray(x @ log_phi.T) + log_prior
        if step < drawn_steps:
            new = _draw(log_like - logsumexp(log_like, axis=1, keepdims=True), rng)
        else:
            new = np.argmax(log_like, axis=1)
        new[np.asarray(x.getnnz(axis=1)) == 0] = -1
        changed = float(np.mean(new != labels))
        labels = new
        if step >= drawn_steps and changed < SETTLED:
            break
    return labels


def theme_weights(x: sp.csr_matrix, primary: np.ndarray, h: np.ndarray) -> Factors:
    """NMF-style weights of every answer against the centroids of the themes in `primary`.

    A theme left with no answers keeps its row of `h`. The main theme leads: its weight is raised
    to the answer's top weight if needed, so further themes are only those close to it.
    """
    k = h.shape[0]
    membership = sp.csr_matrix(
        (np.ones(int((primary >= 0).sum())), (primary[primary >= 0], np.flatnonzero(primary >= 0))),
        shape=(k, x.shape[0]),
    )
    centroids = np.asarray((membership @ x).todense())
    empty = np.asarray(membership.sum(axis=1)).ravel() == 0
    centroids[empty] = h[empty]
    h = normalize(centroids)
    w, _, _ = non_negative_factorization(
        x, H=h, n_components=k, update_H=False, max_iter=100, tol=1e-3
    )
    rows = np.flatnonzero(primary >= 0)
    top = w[rows].max(axis=1)
    w[rows, primary[rows]] = np.maximum(
        w[rows, primary[rows]], np.maximum(top + 1e-9, WEIGHT_FLOOR)
    )
    return Factors(w=w, h=h)


def refine(
    x: sp.csr_matrix, factors: Factors, *, seed: int, drawn_steps: int = DRAWN_STEPS
) -> Refined:
    """Refine an NMF solution: mixture-of-unigrams main themes, then weights against them."""
    k = factors.h.shape[0]
    start = np.where(factors.w.max(axis=1) > 0, factors.w.argmax(axis=1), -1)
    primary = mixture(x, start, k, seed=seed, drawn_steps=drawn_steps)
    return Refined(primary=primary, factors=theme_weights(x, primary, factors.h))
