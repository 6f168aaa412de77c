"""Codebook mode's word score: TF-IDF answers against each theme, and an answer's themes from it.

Each theme's prototype is its label and description, averaged with the mean of its example
answers (the two weigh equally, however many examples there are). An answer's similarity to a
theme is the cosine of its TF-IDF row with the prototype. When every theme has a few examples,
a one-vs-rest logistic regression trained on them is averaged in: it learns which words tell
neighbouring themes apart. `choose_themes` turns one answer's scores, and those of its
sentences, into its themes, best first.

`analysis.codebook` builds the TF-IDF rows and calls these; `analysis.codebook_embeddings` is
the same idea on sentence embeddings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

# A theme needs this many example answers before a classifier is trained for it; with fewer, its
# answers are matched on similarity alone (the other themes keep their classifiers).
MIN_EXAMPLES_FOR_MODEL = 3
# An answer joins every theme scoring at least this share of its best theme's score...
SHARE_OF_BEST = 0.7
# ...and the best theme of each of its sentences when that scores this share of the best.
SEGMENT_SHARE_OF_BEST = 0.6
# An answer fits no theme when its best cosine similarity is below DEFAULT_FLOOR. A second theme
# must clear a higher floor when there are examples to calibrate it: this share of a typical
# example's similarity to its own theme...
FLOOR_SHARE_OF_TYPICAL = 0.25
# ...without them (a label and description only), one shared content word is about this much.
DEFAULT_FLOOR = 0.05


@dataclass(frozen=True)
class WordScorer:
    """Scores TF-IDF rows against each codebook theme."""

    prototypes: npt.NDArray[np.float64]  # (themes, terms), unit rows
    models: Models  # per theme; None for a theme with too few examples
    typical: float  # a typical example's similarity to its own theme (1.0 without examples)
    floor: float  # the similarity a second theme needs

    def __call__(self, x: sp.csr_matrix) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """(cosine similarity, combined score) per row and theme."""
        similarity: npt.NDArray[np.float64] = np.asarray(x @ self.prototypes.T)
        if self.models is None or x.shape[0] == 0:
            return similarity, similarity
        return similarity, combined(similarity / self.typical, self.models, x)


# A model per theme, None where a theme has too few examples; None overall when no theme has one.
Models = tuple[LogisticRegression | None, ...] | None


def combined(
    scaled: npt.NDArray[np.float64], models: tuple[LogisticRegression | None, ...], x: Any
) -> npt.NDArray[np.float64]:
    """Each theme's score on one scale: the similarity scaled so a typical example scores 1,
    averaged with the theme's classifier where it has one, and alone where it has not."""
    scaled = np.minimum(scaled, 1.0)
    score = scaled.copy()
    for j, model in enumerate(models):
        if model is not None:
            score[:, j] = 0.5 * scaled[:, j] + 0.5 * model.predict_proba(x)[:, 1]
    return score


def _unit(rows: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return rows / np.where(norms == 0, 1.0, norms)


def fit_word_scorer(
    theme_x: sp.csr_matrix, example_x: sp.csr_matrix, example_themes: list[set[int]]
) -> WordScorer:
    """Prototypes from label, description and examples; a classifier when examples allow."""
    k = theme_x.shape[0]
    sums = np.zeros(theme_x.shape)
    counts = np.zeros(k)
    for row, members in enumerate(example_themes):
        for j in members:
            sums[j] += example_x[row].toarray().ravel()
            counts[j] += 1
    # Label and description weigh as much as all the examples together, however many there are.
    prototypes = theme_x.toarray() + sums / np.maximum(counts, 1)[:, None]
    prototypes = _unit(prototypes)
    if not example_themes:
        return WordScorer(prototypes, None, 1.0, DEFAULT_FLOOR)
    own = [
        float((example_x[row] @ prototypes[j])[0])
        for row, members in enumerate(example_themes)
        for j in members
    ]
    typical = max(float(np.median(own)), DEFAULT_FLOOR / FLOOR_SHARE_OF_TYPICAL)
    floor = FLOOR_SHARE_OF_TYPICAL * typical
    models: Models = None
    if k >= 2:
        x = sp.vstack([example_x, theme_x]).tocsr()
        labels = [*example_themes, *({j} for j in range(k))]
        models = one_vs_rest(
            x,
            labels,
            counts >= MIN_EXAMPLES_FOR_MODEL,
            lambda: LogisticRegression(C=10.0, class_weight="balanced", solver="liblinear"),
        )
    return WordScorer(prototypes, models, typical, floor)


def one_vs_rest(
    x: Any,
    labels: list[set[int]],
    eligible: npt.NDArray[np.bool_],
    new_model: Callable[[], LogisticRegression],
) -> Models:
    """A model for each ``eligible`` theme (one with enough examples), its rows of ``x``
    against the rest; a theme that is not, or that holds every row (nothing to learn), keeps
    similarity alone. None when no theme has a model."""
    fitted: list[LogisticRegression | None] = []
    for j, enough in enumerate(eligible):
        y = np.array([j in members for members in labels], dtype=np.int64)
        fitted.append(new_model().fit(x, y) if enough and y.min() != y.max() else None)
    return tuple(fitted) if any(m is not None for m in fitted) else None


def choose_themes(
    similarity: npt.NDArray[np.float64],
    score: npt.NDArray[np.float64],
    segment_similarity: npt.NDArray[np.float64],
    segment_score: npt.NDArray[np.float64],
    floor: float,
    *,
    second: npt.NDArray[np.float64] | None = None,
    segment_second: npt.NDArray[np.float64] | None = None,
) -> tuple[int, ...]:
    """The themes of one answer, best first, from its own and its sentences' scores.

    One shared content word is enough to place an answer in its best theme; further themes must
    score close to the best and clear the calibrated floor, so a stray word adds no theme.
    `second` and `segment_second`, when given, are the similarities further themes (the answer's
    and its sentences') are tested with instead (the embedding method's stricter ones).
    """
    second = similarity if second is None else second
    segment_second = segment_similarity if segment_second is None else segment_second
    if max(similarity.max(initial=0.0), segment_similarity.max(initial=0.0)) < DEFAULT_FLOOR:
        return ()
    fits = similarity >= DEFAULT_FLOOR
    chosen: set[int] = set()
    segment_floor = floor
    if fits.any():
        best = float(score[fits].max())
        chosen.add(int(np.flatnonzero(fits & (score == best))[0]))
    else:  # only a sentence on its own is close enough to a theme: the sentences decide
        rows = np.flatnonzero((segment_similarity >= DEFAULT_FLOOR).any(axis=1))
        best = float(segment_score[rows].max())
        segment_floor = DEFAULT_FLOOR
        segment_second = segment_similarity  # a sentence's best is the answer's best here
    eligible = second >= floor
    chosen |= {int(j) for j in np.flatnonzero(eligible & (score >= SHARE_OF_BEST * best))}
    for sim_row, score_row in zip(segment_second, segment_score, strict=True):
        j = int(np.argmax(score_row))
        if sim_row[j] >= segment_floor and score_row[j] >= SEGMENT_SHARE_OF_BEST * best:
            chosen.add(j)
    return tuple(sorted(chosen, key=lambda j: (-score[j], j)))
