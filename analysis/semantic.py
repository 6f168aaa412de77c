"""Themes from sentence embeddings: group answers by what they mean, describe them by their words.

Bag-of-words themes need answers to share words; "the 42 never comes" and "buses are unreliable"
share none. A sentence-embedding model places answers that mean the same thing close together, so
`find_themes` with `method="embeddings"` clusters the unit-length embeddings of the distinct
answers instead of factorising TF-IDF. Everything people see is then produced by the same code as
the TF-IDF method: each cluster's key terms and label come from class-based TF-IDF (c-TF-IDF) of
its answers' stemmed words, and quotes, sizes, intervals, tone, "no comment" and "Other" follow.

The number of themes comes from the words, as in the TF-IDF method (over-segment, merge themes
whose answers use the same words: `analysis.merging.choose_initial_themes`); the embeddings then
decide which answers go together: k-means at that number, started from the mean embedding of
each of the words' themes, so the themes barely change with the seed.
An answer far from its theme by that theme's own spread (`outliers`), and a small theme whose
answers hold together no better than unrelated ones (`loose_themes`), go to "Other" rather than
being forced into a theme. One embedding blurs an answer that raises two points, so the themes
its words point to are added (`_with_words`).

The embedding method runs this path below 1,000 distinct answers (`analysis.themes`). Until
session 7 the embeddings chose the number as well; until issue 23 (2026-12-08) k-means
over-segmented the embeddings and the closest parts were merged down to the words' number. On
the demo's consultation that merging built one theme of 61 of 171 answers (buses, youth clubs,
parks, the library) and lost the youth club theme; k-means at the number gave themes of 14-40
answers that read as one subject each. bench/themes.py --small 150 400 --seeds 5, automatic k,
NMI / ARI, merged -> k-means: searchsnippets 0.453 / 0.248 -> 0.463 / 0.288 and 0.509 / 0.377
-> 0.507 / 0.369; stackoverflow 0.600 / 0.294 -> 0.591 / 0.304 and 0.637 / 0.389 -> 0.640 /
0.385; biomedical 0.468 / 0.170 -> 0.475 / 0.202 and 0.411 / 0.183 -> 0.413 / 0.199; agnews
0.441 / 0.341 -> 0.405 / 0.276 and 0.476 / 0.412 -> 0.482 / 0.350 (its 4 broad sections suited
the merged, uneven themes).

k-means++ starts (best of 10) then made the themes depend on the seed: on the Pol.is
conversations (bench/polis.py, 14 real ones of 31-607 comments) the median ARI between two
seeds was 0.541 (TF-IDF 0.972). Starting from the words' themes raised it to 0.882, and word
coherence (median NPMI) from -0.282 to -0.182 (TF-IDF -0.162); ARI between 80% subsamples
0.501 -> 0.443 (TF-IDF 0.447). On the --small subsets it raised 6 of 8 ARI cells (agnews 150
0.276 -> 0.349, 400 0.350 -> 0.394) and cost searchsnippets (150 NMI 0.463 -> 0.387).
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
from analysis.factorise import Factors, factorise
from analysis.merging import (
    MIN_THEME_SIZE,
    choose_initial_themes,
)
from analysis.preprocess import PreparedCorpus, clean
from analysis.refine import theme_weights
from analysis.types import ThemeParams
from analysis.vectorise import TermMatrix

METHOD = "embeddings-kmeans"
# An answer also joins a theme whose centroid is nearly as close as its own theme's: within about
# this much cosine ("buses and potholes" sits between the two).
SECOND_THEME_MARGIN = 0.04
# An answer further than this from every theme's centroid (cosine) fits none: "Other".
OUTLIER_COSINE = 0.1
# Tukey's fence for outliers below a theme's members (`outliers`), the textbook 1.5, and the
# share of the members' median cosine an outlier must also fall below.
TUKEY_FENCE = 1.5
OUTLIER_SHARE_OF_MEDIAN = 0.5
# A theme holding together less than this share of the question's median theme does is "Other"
# (`loose_themes`).
LOOSE_SHARE = 0.5
KMEANS_INIT = 3  # k-means restarts at a given k
# Restarts at the words' count when the words' themes cannot start k-means (`_words_start`): the
# best of 10 found the planted topics of tests/analysis, where 3 split one topic in two.
KMEANS_INIT_AUTO = 10


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


def _words_start(
    x: sp.csr_matrix, initial: npt.NDArray[np.float64], e: npt.NDArray[np.float64], *, seed: int
) -> npt.NDArray[np.float64] | None:
    """k-means's start: the mean embedding of each of the words' themes (None if one is empty).

    The words' themes (NMF from the merged themes, as the TF-IDF method starts) barely change
    with the seed; k-means++ starts do. From them, the embeddings move answers to where they
    mean to be, and a rerun gives an officer the same themes.
    """
    w = factorise(x, initial.shape[0], seed=seed, init_h=initial).w
    groups = np.where(w.max(axis=1) > 0, w.argmax(axis=1), -1)
    if not all((groups == j).any() for j in range(initial.shape[0])):
        return None
    start: npt.NDArray[np.float64] = normalize(
        np.vstack([e[groups == j].mean(axis=0) for j in range(initial.shape[0])])
    )
    return start


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


def meaning_of(
    answers: Sequence[tuple[str, str]], corpus: PreparedCorpus, params: ThemeParams
) -> npt.NDArray[np.float64]:
    """Unit embeddings of the distinct answers, one row each, in the corpus's order."""
    return embed(_texts(answers, corpus), params.embedding_model)


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
        initial = choose_initial_themes(matrix.tfidf, doc_counts, seed=params.seed)
        k = max(1, min(initial.shape[0], distinct))
        start = None
        if k == len(initial):
            start = _words_start(matrix.tfidf, initial, e, seed=params.seed)
        if start is None:
            labels, centroids = _kmeans(e, k, seed=params.seed, n_init=KMEANS_INIT_AUTO)
        else:
            labels, centroids = _kmeans(e, k, seed=params.seed, init=start)
    else:
        k = max(1, min(params.k, distinct))
        labels, centroids = _kmeans(e, k, seed=params.seed, n_init=KMEANS_INIT)
    similarity = np.asarray(e @ centroids.T)
    w = _weights(similarity)
    primary = np.where(w.max(axis=1) > 0, similarity.argmax(axis=1), -1)
    primary[outliers(similarity, primary)] = -1
    primary[np.isin(primary, loose_themes(e, primary))] = -1
    h = class_tfidf(matrix.counts, primary, centroids.shape[0])
    return Factors(w=_with_words(w, primary, theme_weights(matrix.tfidf, primary, h).w), h=h)


def outliers(similarity: npt.NDArray[np.float64], primary: np.ndarray) -> npt.NDArray[np.bool_]:
    """Answers too far from their own theme to belong to it: they go to "Other".

    An answer is an outlier when its cosine with its theme's centroid is below both the theme's
    lower Tukey fence (first quartile less 1.5 times the interquartile range of its members'
    cosines) and half the members' median cosine: far out by the theme's own spread, and far in
    absolute terms, so a tight theme does not shed members that merely sit at its edge. Themes
    under MIN_THEME_SIZE answers are too small to have a spread and keep their members.
    """
    out = np.zeros(primary.size, dtype=bool)
    for theme in np.unique(primary[primary >= 0]):
        members = np.flatnonzero(primary == theme)
        if members.size < MIN_THEME_SIZE:
            continue
        cosine = similarity[members, theme]
        q1, median, q3 = np.quantile(cosine, [0.25, 0.5, 0.75])
        bound = min(q1 - TUKEY_FENCE * (q3 - q1), OUTLIER_SHARE_OF_MEDIAN * median)
        out[members[cosine < bound]] = True
    return out


def loose_themes(e: npt.NDArray[np.float64], primary: np.ndarray) -> npt.NDArray[np.int64]:
    """Themes whose answers do not hold together: their answers go to "Other".

    A theme's cohesion is how much closer its answers are to one another than to the answers of
    other themes (mean pairwise cosine within, less the mean cosine to the rest). Clustering
    places every answer somewhere, so answers that resemble nothing ("Quokkas and wombats",
    "Zeppelin rides") end up together in a small group of their own. A theme smaller than the
    question's median theme that holds together less than LOOSE_SHARE of the median cohesion is
    not shown as a theme. Large loose groups stay themes: dissolving them too lowered ARI on
    stackoverflow (400 answers, 5 seeds: 0.382 -> 0.321), as real themes of short titles hold
    together loosely; this rule left every bench/themes.py --small figure equal or higher.
    """
    themes = np.unique(primary[primary >= 0])
    if themes.size < 3:  # too few themes to say what a typical one looks like
        return np.zeros(0, dtype=np.int64)
    total = e[primary >= 0].sum(axis=0)
    n_all = int((primary >= 0).sum())
    gaps = np.full(themes.size, np.inf)
    for index, theme in enumerate(themes):
        members = primary == theme
        n = int(members.sum())
        if n < 2 or n == n_all:
            continue
        summed = e[members].sum(axis=0)
        within = (float(summed @ summed) - n) / (n * (n - 1))
        outside = float(summed @ (total - summed)) / (n * (n_all - n))
        gaps[index] = within - outside
    typical = float(np.median(gaps[np.isfinite(gaps)])) if np.isfinite(gaps).any() else 0.0
    sizes = np.array([int((primary == theme).sum()) for theme in themes])
    small = sizes < np.median(sizes)
    loose: npt.NDArray[np.int64] = themes[small & (gaps < LOOSE_SHARE * typical)]
    return loose


def _with_words(
    meaning: npt.NDArray[np.float64], primary: np.ndarray, words: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Membership weights: the meaning's, plus the themes an answer's words also point to.

    One embedding per answer blurs an answer that raises two points ("the potholes, and the youth
    club that closed") into neither; its words still name both. So each row takes, per theme, the
    larger of its meaning weight and its word weight (`analysis.refine.theme_weights`, whose main
    theme is the meaning's), each as a share of the row's top; the row is then scaled by the
    meaning's top weight, so quotes still go to the answers most typical in meaning. An answer
    in "Other" keeps no theme.
    """
    rows = np.flatnonzero(primary >= 0)
    w = np.zeros_like(meaning)
    if rows.size == 0:
        return w
    top = meaning[rows].max(axis=1, keepdims=True)
    word_top = np.clip(words[rows].max(axis=1, keepdims=True), 1e-12, None)
    share = np.maximum(meaning[rows] / top, words[rows] / word_top)
    share[np.arange(rows.size), primary[rows]] = 1.0
    w[rows] = share * top
    return w
