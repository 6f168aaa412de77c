"""Themes from sentence embeddings: group answers by what they mean, describe them by their words.

Bag-of-words themes need answers to share words; "the 42 never comes" and "buses are unreliable"
share none. A sentence-embedding model places answers that mean the same thing close together, so
`find_themes` with `method="embeddings"` clusters the unit-length embeddings of the distinct
answers instead of factorising TF-IDF. Everything people see is then produced by the same code as
the TF-IDF method: each cluster's key terms and label come from class-based TF-IDF (c-TF-IDF) of
its answers' stemmed words, and quotes, sizes, intervals, tone, "no comment" and "Other" follow.

The number of themes comes from the words, as in the TF-IDF method (over-segment, merge themes
whose answers use the same words: `analysis.merging.choose_initial_themes`); the embeddings then
decide which answers go together: k-means over-segments the embeddings, the parts with the closest
centroids are merged (`analysis.merging.merge_groups`, weighted average linkage) down to that
number, and a few k-means steps settle them.

Until session 7 the embeddings chose the number as well, merging parts while the cosine of their
centroids was at least 0.5. Similarity between embeddings falls off smoothly from sub-topic to
topic, so no bar held across sets (agnews: 11-14 themes for its 4 sections; the rules tried are in
docs/benchmarks.md). The words' count is the one the default method has shown stable across seeds.
On two 3,000-answer draws of each set (NMI before / after): agnews 0.437 / 0.611 and 0.444 / 0.552,
biomedical 0.405 / 0.411 and 0.428 / 0.428, stackoverflow 0.664 both ways on both draws,
searchsnippets 0.631 / 0.639 and 0.636 / 0.595.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import normalize

from analysis.embeddings import embed
from analysis.factorise import Factors
from analysis.merging import (
    MIN_THEME_SHARE,
    MIN_THEME_SIZE,
    ThemeCountLimits,
    choose_initial_themes,
    limits_for,
    merge_groups,
)
from analysis.preprocess import PreparedCorpus, clean
from analysis.types import ThemeParams
from analysis.vectorise import TermMatrix

METHOD = "embeddings-kmeans"
# An answer also joins a theme whose centroid is nearly as close as its own theme's: within about
# this much cosine ("buses and potholes" sits between the two).
SECOND_THEME_MARGIN = 0.04
# An answer further than this from every theme's centroid (cosine) fits none: "Other".
OUTLIER_COSINE = 0.1
KMEANS_INIT = 3  # k-means restarts at a given k


def _texts(answers: Sequence[tuple[str, str]], corpus: PreparedCorpus) -> list[str]:
    """The text embedded for each distinct answer: its first occurrence, cleaned."""
    return [clean(str(answers[first][1])) for first in corpus.doc_first]


def _kmeans(
    e: np.ndarray, k: int, *, seed: int, init: np.ndarray | None = None, n_init: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """(labels, unit centroids) of k-means on unit rows: close to spherical k-means."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # duplicate points: fewer clusters
        model = KMeans(
            n_clusters=k,
            init="k-means++" if init is None else init,
            n_init=n_init if init is None else 1,
            max_iter=100,
            random_state=seed,
        )
        labels = model.fit_predict(e)
    return labels, normalize(model.cluster_centers_)


def _merged_centroids(
    e: np.ndarray, doc_counts: np.ndarray, k: int, *, seed: int
) -> npt.NDArray[np.float64]:
    """k theme centroids: k-means over-segments the embeddings, the closest parts are merged."""
    n_docs = e.shape[0]
    k_start = min(limits_for(n_docs).k_start, n_docs)
    k = max(1, min(k, k_start))
    labels, centroids = _kmeans(e, k_start, seed=seed)
    sizes = np.bincount(labels, weights=doc_counts, minlength=k_start)
    groups = merge_groups(
        np.asarray(centroids @ centroids.T),
        sizes,
        ThemeCountLimits(k_min=k, k_max=k, k_start=k_start),  # merge down to exactly k
        min_size=max(MIN_THEME_SIZE, MIN_THEME_SHARE * float(doc_counts.sum())),
    )
    unique_sizes = np.bincount(labels, minlength=k_start).astype(np.float64)
    merged = np.vstack(
        [(unique_sizes[parts, None] * centroids[parts]).sum(axis=0) for parts in groups]
    )
    unit_rows: npt.NDArray[np.float64] = normalize(merged)
    return unit_rows


def class_tfidf(counts: sp.csr_matrix, labels: np.ndarray, k: int) -> npt.NDArray[np.float64]:
    """Class-based TF-IDF: (themes, terms) weights of each cluster's words, unit rows.

    Term frequency is within the cluster's answers taken together; a term's weight falls the
    more it is spread over all clusters (log(1 + average cluster length / term frequency)).
    """
    assigned = np.flatnonzero(labels >= 0)
    membership = sp.csr_matrix(
        (np.ones(assigned.size), (labels[assigned], assigned)), shape=(k, counts.shape[0])
    )
    tf = np.asarray((membership @ counts).todense())
    totals = tf.sum(axis=1, keepdims=True)
    term_totals = tf.sum(axis=0)
    average = float(tf.sum()) / max(k, 1)
    idf = np.log1p(average / np.where(term_totals > 0, term_totals, 1.0))
    weights = (tf / np.where(totals > 0, totals, 1.0)) * idf
    unit_rows: npt.NDArray[np.float64] = normalize(weights)
    return unit_rows


def _weights(similarity: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Membership weights from cosines: the nearest theme's cosine, others decaying with the gap.

    `analysis.factorise.memberships` adds a theme whose weight is at least half the top weight,
    which here means within about SECOND_THEME_MARGIN of the nearest theme's cosine; the top
    weight is the cosine itself, so the most typical answers are quoted first.
    """
    top: npt.NDArray[np.float64] = similarity.max(axis=1, keepdims=True)
    w = np.clip(similarity, 0.0, None) * 0.5 ** ((top - similarity) / SECOND_THEME_MARGIN)
    w[top.ravel() < OUTLIER_COSINE] = 0.0
    return w


def embedding_factors(
    answers: Sequence[tuple[str, str]],
    corpus: PreparedCorpus,
    matrix: TermMatrix,
    params: ThemeParams,
) -> Factors:
    """Theme weights per distinct answer (W) and c-TF-IDF term weights per theme (H).

    The same shape as the NMF factors, so `find_themes` turns them into themes with the same code.
    """
    e = embed(_texts(answers, corpus), params.embedding_model)
    doc_counts = np.asarray(corpus.doc_counts, dtype=np.float64)
    distinct = np.unique(e.round(6), axis=0).shape[0]  # near-identical texts embed identically
    if params.k is None:
        k = choose_initial_themes(matrix.tfidf, doc_counts, seed=params.seed).shape[0]
        start = _merged_centroids(e, doc_counts, min(k, distinct), seed=params.seed)
        labels, centroids = _kmeans(e, start.shape[0], seed=params.seed, init=start)
    else:
        k = max(1, min(params.k, distinct))
        labels, centroids = _kmeans(e, k, seed=params.seed, n_init=KMEANS_INIT)
    similarity = np.asarray(e @ centroids.T)
    w = _weights(similarity)
    primary = np.where(w.max(axis=1) > 0, similarity.argmax(axis=1), -1)
    h = class_tfidf(matrix.counts, primary, centroids.shape[0])
    return Factors(w=w, h=h)
