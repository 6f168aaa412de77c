"""Codebook mode with sentence embeddings: a meaning score blended with the word score.

TF-IDF can only match an answer to a theme through shared words: "the 42 never turns up" shares
none with "Bus services". With the embedding method each answer, and each of its sentences, is
also scored by the cosine of its embedding with the theme's prototype embedding (the embedding of
"label. description", averaged with the mean embedding of its example answers when there are
some, the two weighing equally as in the TF-IDF prototype). When every theme has a few examples,
a one-vs-rest logistic regression on their embeddings is averaged in, as the word score does
with its own classifier.

Cosines and TF-IDF scores live on different scales: every pair of texts about one subject has a
cosine of 0.1-0.3, while unrelated words give a TF-IDF score of 0. So the cosines are put on the
word score's scale by matching two reference points measured on the answers themselves, never on
labels: the median over all answer-theme pairs (most pairs are unrelated: background, mapped to the
word score's median, about 0) and the median of each answer's best theme (a typical fit, mapped to
the word score's median best). The score that ranks themes is the average of the two, with equal
weight; the similarity that the floors test is the higher of the two, so an answer fits a theme
when either its words or its meaning come close enough. Meaning counts towards the floors only
well clear of the background (MEANING_FIT), and for a further theme only from a typical fit
(SECOND_MEANING_FIT): every answer is somewhat near several themes of one codebook, and without
these bars the method gave 2.6 themes an answer where people gave 1.1 (disaster-response).

The default method; the model is the ONNX copy shipped with Engage unless ENGAGE_EMBEDDING_MODEL
names another (`analysis.embeddings`), so PyTorch is loaded only for a sentence-transformers one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

from analysis.codebook_scoring import Models, combined, one_vs_rest
from analysis.embeddings import embed

METHOD_SUFFIX = "-embeddings"
# Weight of the meaning score in the blend; the word score has the rest. Neither is known to be
# the better guide in general (words win where answers reuse the codebook's wording, meaning where
# they paraphrase it), so they weigh equally.
EMBEDDING_WEIGHT = 0.5
# A typical answer's best cosine is taken to be at least this above the background, so a handful
# of answers that fit nothing are not stretched into looking like good fits.
MIN_FIT_GAP = 0.1
# Meaning alone fits an answer to a theme from this point between the background (0) and a
# typical answer's best theme (1). On the planted answers of tests/analysis, paraphrases of a
# theme sat at 0.46-0.63 and answers on subjects the codebook lacks at 0.17 at most: a third of
# the way is clear of both. (The midpoint lost the paraphrases; no bar at all put GP answers
# under "Bus services".)
MEANING_FIT = 1 / 3
# ...and a further theme from where a typical answer's best sits (see `blend`).
SECOND_MEANING_FIT = 1.0
# Every theme needs this many examples before classifiers are trained (see `fit_scorer`).
MIN_EXAMPLES_FOR_MODEL = 3


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return rows / np.where(norms == 0, 1.0, norms)


@dataclass(frozen=True)
class MeaningScorer:
    """Scores texts against each codebook theme by their sentence embeddings."""

    prototypes: np.ndarray  # (themes, dimensions), unit rows
    models: Models  # per theme, or None (see `fit_scorer`)
    typical: float  # a typical example's cosine with its own theme (1.0 without examples)
    model: str | None  # the embedding model's folder; None reads ENGAGE_EMBEDDING_MODEL

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """(texts, themes) scores: the cosine, averaged with the classifier's when there is one."""
        if not texts:
            return np.zeros((0, self.prototypes.shape[0]))
        e = embed(list(texts), self.model)
        cosine = np.asarray(e @ self.prototypes.T)
        if self.models is None:
            return cosine
        return combined(cosine / self.typical, self.models, e)


def fit_scorer(
    theme_texts: Sequence[str],
    example_texts: Sequence[str],
    example_themes: Sequence[set[int]],
    model: str | None,
) -> MeaningScorer:
    """Prototypes from each theme's text and examples (weighing equally); a classifier if enough."""
    own = _unit(embed(list(theme_texts), model))
    k = own.shape[0]
    if not example_texts:
        return MeaningScorer(own, None, 1.0, model)
    examples = embed(list(example_texts), model)
    sums = np.zeros_like(own)
    counts = np.zeros(k)
    for row, members in enumerate(example_themes):
        for j in members:
            sums[j] += examples[row]
            counts[j] += 1
    has = counts > 0
    mean = np.zeros_like(own)
    mean[has] = _unit(sums[has] / counts[has, None])
    prototypes = _unit(own + mean)
    own_cosine = [
        float(examples[row] @ prototypes[j])
        for row, members in enumerate(example_themes)
        for j in members
    ]
    typical = max(float(np.median(own_cosine)), 1e-3)
    models: Models = None
    # Still all themes or none here: a theme left on the cosine alone is not on the classifier's
    # scale (a poor fit's cosine is far above a classifier's near-zero probability), so it takes
    # answers from the others. Measured with one theme given 2 examples (bench/codebook.py
    # --short 1 --method embeddings): sample F1 0.918 all-or-none, 0.854 per theme.
    if k >= 2 and counts.min() >= MIN_EXAMPLES_FOR_MODEL:
        x = np.vstack([examples, own])
        labels = [*example_themes, *({j} for j in range(k))]
        models = one_vs_rest(
            x,
            labels,
            counts >= MIN_EXAMPLES_FOR_MODEL,
            lambda: LogisticRegression(class_weight="balanced"),
        )
    return MeaningScorer(prototypes, models, typical, model)


@dataclass(frozen=True)
class Calibration:
    """Two reference points of one score matrix: background and a typical answer's best."""

    background: float
    typical_best: float

    @classmethod
    def of(cls, scores: np.ndarray, *, min_gap: float = 0.0) -> Calibration:
        """Background: the median over all pairs; typical: the median of each row's best."""
        if scores.size == 0:
            return cls(0.0, 1.0)
        background = float(np.median(scores))
        best = max(float(np.median(scores.max(axis=1))), background + min_gap)
        return cls(background, best)

    def relative(self, scores: np.ndarray) -> np.ndarray:
        """Where `scores` sit between the background (0) and a typical answer's best (1)."""
        return (scores - self.background) / max(self.typical_best - self.background, 1e-9)

    def onto(self, other: Calibration, scores: np.ndarray) -> np.ndarray:
        """`scores` moved onto `other`'s scale: background to background, typical to typical."""
        relative = self.relative(scores)
        moved = other.background + relative * (other.typical_best - other.background)
        return np.maximum(moved, 0.0)


@dataclass(frozen=True)
class Blend:
    """Blended similarity (tested against the floors) and score (ranks themes) of some texts.

    `second`, when set, is the similarity a theme other than an answer's best must clear the
    floor with (see `blend`); None means `similarity`.
    """

    similarity: np.ndarray
    score: np.ndarray
    second: np.ndarray | None = None


def blend(
    meaning: np.ndarray,
    segment_meaning: np.ndarray,
    words: Blend,
    segment_words: Blend,
    *,
    min_word_fit: float,
) -> tuple[Blend, Blend]:
    """(answers, sentences): meaning scores blended into the word similarity and score.

    The reference points come from the whole answers, and sentences are moved with them, so a
    sentence is judged on the same scale as the answer it belongs to. A typical fit on the word
    scale is taken to be at least `min_word_fit` above its background: where answers share next
    to no words with the codebook (paraphrases only), the word scale has no typical fit to map
    the meaning onto, and the meaning must still be able to place them.
    """
    meaning_scale = Calibration.of(meaning, min_gap=MIN_FIT_GAP)
    similarity_scale = Calibration.of(words.similarity, min_gap=min_word_fit)
    score_scale = Calibration.of(words.score, min_gap=min_word_fit)
    w = EMBEDDING_WEIGHT

    def mix(values: np.ndarray, word: Blend) -> Blend:
        # Meaning alone places an answer in a theme only when its cosine is well clear of the
        # background: near it, the answer is more like an unrelated pair than a fit.
        relative = meaning_scale.relative(values)
        moved = meaning_scale.onto(similarity_scale, values)
        by_meaning = np.where(relative >= MEANING_FIT, moved, 0.0)
        # A further theme (or a sentence's) by meaning must fit as well as a typical answer's
        # best theme does: every answer is somewhat near several themes of one codebook.
        second_by_meaning = np.where(relative >= SECOND_MEANING_FIT, moved, 0.0)
        return Blend(
            similarity=np.maximum(word.similarity, by_meaning),
            score=(1 - w) * word.score + w * meaning_scale.onto(score_scale, values),
            second=np.maximum(word.similarity, second_by_meaning),
        )

    return mix(meaning, words), mix(segment_meaning, segment_words)
