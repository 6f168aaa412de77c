"""Iterative classification with outlier removal: letting a classifier tidy the clustering.

The recipe of Rakib et al. (2020, "Enhancement of short text clustering by iterative
classification"), on our TF-IDF rows and started from the mixture's main themes. Each round:

1. per theme, set aside the answers least like the theme's centroid (the outliers);
2. draw a random share of the remaining answers of each theme, at most a fair share of the total
   so one big theme cannot drown the rest, as training data;
3. train a linear classifier (hinge loss, by stochastic gradient descent) on those answers;
4. give every other answer the theme the classifier picks, but only where it clearly prefers that
   theme over the runner-up; where it hesitates the answer keeps its theme.

Rounds stop when hardly any answer moves. The classifier learns which words tell themes apart,
which the mixture (which only asks which words a theme uses) cannot; the outlier removal and the
fresh random draw each round keep it from learning the clustering's mistakes back.

Two guards that the published recipe, written for dense sentence vectors, does not need but bag
of words does: the classifier has no intercept, and hesitant answers stay put. Without them the
theme whose words are the most generic ("window", "display") swallowed thousands of answers that
share no distinctive word with any theme (stackoverflow: one theme grew from 973 to 5,513).

Before the rounds, terms are weighted by how specific they are to the current themes (one minus
the normalised entropy of their weight across themes) and the mixture is re-run on those weights:
a word every theme uses ("study", "effect", "people") stops pulling answers together. Each pass
works the weights out again from the tidier themes, re-runs the mixture on them and classifies
again, until a pass moves fewer than 1% of the answers (at most PASSES passes). Until session 7
the mixture ran in the first pass only and there were always two passes; re-running it each pass
and passing on while answers still move raised NMI on all four sets (medians of seeds 0-2,
automatic k: searchsnippets 0.553 -> 0.586, biomedical 0.399 -> 0.403, stackoverflow 0.738 ->
0.742, agnews 0.491 -> 0.496) for about 10% more time at 10,000 answers.

Measured with bench/themes.py (full, medians of seeds 0-2), automatic number of themes, NMI:
the mixture alone -> classification rounds -> with specificity weighting: stackoverflow
0.687 -> 0.726 -> 0.738, biomedical 0.354 -> 0.379 -> 0.386, searchsnippets 0.465 -> 0.489 ->
0.523, agnews 0.434 -> 0.464 -> 0.480; ARI rose at each step on all four. At the gold number of
themes the last step gives 0.759 and 0.396 on the first two. Not run on fewer than MIN_ANSWERS
distinct answers. Variants tried and dropped: logistic regression (tried without the guards: the
same runaway theme, 10-20 times slower), IsolationForest for the outliers (no better overall, 10
times slower), re-running the mixture after the rounds on unweighted terms (biomedical up,
stackoverflow down 0.02), character n-grams or 100 LSA dimensions beside the words for the
classifier (+0.00 to +0.04 NMI for 2-5 times the time; LSA lowered NMI), weighting terms by the
spread of the words they occur with (lower on both), more than two passes without re-running the
mixture (+0.0005), and averaging three classifiers per round (no better, 1.5 times slower).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.linear_model import SGDClassifier
from sklearn.preprocessing import normalize

from analysis.refine import mixture

ROUNDS = 20
# Smaller consultations keep the mixture's themes. With specificity weighting the rounds raise NMI
# on 300- to 2,500-answer samples of all four labelled sets, but on the Pol.is conversations
# (31-607 comments) running them made themes less coherent (median NPMI -0.16 -> -0.23) and far
# less stable across seeds (median ARI 0.98 -> 0.68): officers would see a different theme set
# each run. Above 1,000 distinct answers both the labelled sets and stability hold up.
MIN_ANSWERS = 1_000
# Share of each theme's answers, closest to its centroid, that count as inliers.
INLIER_SHARE = 0.9
# Each round trains on a share of the inliers drawn between these two.
TRAIN_SHARE = (0.6, 0.8)
# Training answers per round, at most: the classifier's cost grows with them; prediction is cheap.
TRAIN_CAP = 20_000
# An answer moves only when its new theme's score beats the runner-up's by this much.
MARGIN = 0.3
# Stop once fewer than this share of answers change theme in a round, or once that share has not
# reached a new low for PATIENCE rounds: on mixed text (the scaling runs) a few answers moved every
# round for all 20 rounds (0.4-0.7%), which is churn from the random draws, not progress.
SETTLED = 0.001
PATIENCE = 3
# A theme this small is kept whole: it has no outliers worth the name.
MIN_OUTLIER_THEME = 5
# Regularisation strength of the classifier and its passes over the training answers (6 passes
# gave the same themes as 15, the value until session 6, within 0.007 NMI on all four sets of
# bench/themes.py, for 40% of the classifier's time).
ALPHA = 1e-3
EPOCHS = 6
# Added to each theme's weight of a term before its spread is measured, so a rare term is not
# called specific because it happens to occur in one theme only.
SPECIFICITY_SMOOTHING = 1e-3
# Passes of (weigh terms by specificity, classification rounds), at most; they stop once a pass
# moves fewer than PASS_SETTLED of the answers.
PASSES = 4
PASS_SETTLED = 0.01
# Drawn steps (stochastic EM, analysis/refine.py) in each pass's mixture, before its hard steps.
# The final mixture draws for 20; here 5 kept nearly all of the gain for a quarter of the cost.
# Medians of seeds 0-2, automatic k, NMI searchsnippets / stackoverflow / biomedical / agnews_8000
# and the held-out googlenews_ts / googlenews_s / googlenews_t / tweet, for 0 -> 5 -> 20 drawn
# steps per pass: 0.598 / 0.744 / 0.418 / 0.533 and 0.685 / 0.686 / 0.672 / 0.736 -> 0.605 /
# 0.748 / 0.415 / 0.536 and 0.688 / 0.689 / 0.677 / 0.739 -> 0.610 / 0.746 / 0.415 / 0.539 and
# 0.689 / 0.690 / 0.678 / 0.740. The mixtures' time on 10,000 answers: 0.26 -> 0.45 -> 0.95 s.
PASS_DRAWN_STEPS = 5
# With the embedding method the classifier reads each answer's sentence embedding beside its
# words: the two unit vectors are joined with equal weight (then the row is made unit length), so
# neither is preferred. Not tuned: equal weight is the one value chosen before measuring.
MEANING_WEIGHT = 1.0


def _inliers(x: sp.csr_matrix, labels: np.ndarray) -> np.ndarray:
    """Answers of each theme that are not among its INLIER_SHARE least typical."""
    assigned = np.flatnonzero(labels >= 0)
    k = int(labels.max()) + 1 if assigned.size else 0
    membership = sp.csr_matrix(
        (np.ones(assigned.size), (labels[assigned], assigned)), shape=(k, x.shape[0])
    )
    centroids = normalize(np.asarray((membership @ x).todense()))
    # Every answer against every centroid is a thin (answers x themes) product; each answer's
    # closeness is the column of its own theme.
    closeness = np.zeros(x.shape[0])
    closeness[assigned] = np.asarray(x[assigned] @ centroids.T)[
        np.arange(assigned.size), labels[assigned]
    ]
    keep = np.zeros(x.shape[0], dtype=bool)
    for theme in range(k):
        members = np.flatnonzero(labels == theme)
        if members.size == 0:
            continue
        if members.size < MIN_OUTLIER_THEME:
            keep[members] = True
            continue
        mine = closeness[members]
        keep[members[mine >= np.quantile(mine, 1.0 - INLIER_SHARE)]] = True
    return keep


def _training(labels: np.ndarray, inliers: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random share of each theme's inliers, no theme more than its fair share of the total."""
    share = rng.uniform(*TRAIN_SHARE)
    themes = np.unique(labels[inliers])
    fair = share * min(int(inliers.sum()), TRAIN_CAP) / max(themes.size, 1)
    train = np.zeros(labels.size, dtype=bool)
    for theme in themes:
        members = np.flatnonzero(inliers & (labels == theme))
        size = max(1, int(min(round(share * members.size), fair)))
        train[rng.choice(members, size=size, replace=False)] = True
    return train


def theme_specificity(x: sp.csr_matrix, labels: np.ndarray) -> npt.NDArray[np.float64]:
    """Per term, how much its weight is concentrated in a few themes: 1 - normalised entropy.

    A term spread evenly over every theme ("study", "effect", "people", "need") says nothing about
    which theme an answer is on, yet in short answers it can be half the text. Weighting terms by
    this figure from the current themes lets the specific words decide.
    """
    k = int(labels.max()) + 1
    if k < 2:
        return np.ones(x.shape[1])
    assigned = np.flatnonzero(labels >= 0)
    membership = sp.csr_matrix(
        (np.ones(assigned.size), (labels[assigned], assigned)), shape=(k, x.shape[0])
    )
    mass = np.asarray((membership @ x).todense()) + SPECIFICITY_SMOOTHING
    share = mass / mass.sum(axis=0, keepdims=True)
    entropy: npt.NDArray[np.float64] = -(share * np.log(share)).sum(axis=0) / np.log(k)
    return np.clip(1.0 - entropy, 0.0, 1.0)


def _reweighted(x: sp.csr_matrix, labels: np.ndarray) -> sp.csr_matrix:
    weights = theme_specificity(x, labels)
    return sp.csr_matrix(normalize(sp.csr_matrix(x.multiply(weights[None, :]))))


def _rounds(
    x: sp.csr_matrix, labels: np.ndarray, has_words: np.ndarray, rng: np.random.Generator, seed: int
) -> np.ndarray:
    """Rounds of classification until hardly any answer moves."""
    labels = labels.copy()
    fewest_moved, since_fewest = 1.0, 0
    for round_index in range(ROUNDS):
        if np.unique(labels[has_words]).size < 2:
            break
        train = _training(labels, _inliers(x, labels) & has_words, rng)
        if np.unique(labels[train]).size < 2:
            break
        classifier = SGDClassifier(
            loss="hinge",
            alpha=ALPHA,
            max_iter=EPOCHS,
            tol=None,
            fit_intercept=False,
            random_state=seed + round_index,
        ).fit(x[train], labels[train])
        scores = classifier.decision_function(x)
        if scores.ndim == 1:  # two themes: one score, its sign picks the theme
            scores = np.column_stack([-scores, scores])
        ranked = np.sort(scores, axis=1)
        sure = ranked[:, -1] - ranked[:, -2] >= MARGIN
        picked = classifier.classes_[np.argmax(scores, axis=1)]
        move = has_words & ~train & sure & (picked != labels)
        labels[move] = picked[move]
        moved = float(move.mean())
        if moved < SETTLED:
            break
        fewest_moved, since_fewest = (
            (moved, 0) if moved < fewest_moved else (fewest_moved, since_fewest + 1)
        )
        if since_fewest >= PATIENCE:  # churn, not progress: the random draws move a few answers
            break
    return labels


def iterate(
    x: sp.csr_matrix,
    labels: np.ndarray,
    *,
    seed: int,
    meaning: npt.NDArray[np.float64] | None = None,
) -> np.ndarray:
    """Main theme per answer after iterative classification; -1 (no theme) stays -1.

    `meaning`, unit sentence embeddings of the same answers (one row each), joins the words as
    the classifier's features: the mixture and the term weights still read the words alone.

    Each pass weighs terms by how specific they are to the current themes, re-runs the mixture on
    those weights and then the classification rounds; passes stop once one moves fewer than
    PASS_SETTLED of the answers, or after PASSES.
    """
    labels = labels.copy()
    if x.shape[0] < MIN_ANSWERS:
        return labels
    has_words = (np.asarray(x.getnnz(axis=1)) > 0) & (labels >= 0)
    if np.unique(labels[has_words]).size < 2:
        return labels
    rng = np.random.default_rng(seed)
    for pass_index in range(PASSES):
        before = labels.copy()
        weighted = _reweighted(x, labels)
        usable = has_words & (np.asarray(weighted.getnnz(axis=1)) > 0)
        remixed = mixture(
            weighted,
            labels,
            int(labels.max()) + 1,
            seed=seed + pass_index,
            drawn_steps=PASS_DRAWN_STEPS,
        )
        usable &= remixed >= 0
        labels[usable] = remixed[usable]
        features = weighted
        if meaning is not None:
            features = sp.csr_matrix(
                normalize(sp.hstack([weighted, sp.csr_matrix(MEANING_WEIGHT * meaning)]).tocsr())
            )
        labels = _rounds(features, labels, usable, rng, seed + pass_index * ROUNDS)
        if np.mean(labels != before) < PASS_SETTLED:
            break
    return labels
