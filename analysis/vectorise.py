"""TF-IDF over unique answers, with vocabulary pruning that still counts every respondent.

A term used by twenty people who pasted the same sentence is common, not rare, so the minimum
document frequency counts duplicates; the IDF itself is computed over unique texts so that pasted
text does not look more ordinary than it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

from analysis.preprocess import PreparedCorpus


def _identity(doc: tuple[str, ...]) -> tuple[str, ...]:
    """Features are extracted once in preprocess; the vectoriser only counts them."""
    return doc


@dataclass(frozen=True)
class TermMatrix:
    """L2-normalised sublinear TF-IDF rows (one per unique doc) and the feature of each column."""

    tfidf: sp.csr_matrix
    counts: sp.csr_matrix  # raw term counts, same shape, for c-TF-IDF style scores
    features: tuple[str, ...]


def min_df_for(n_docs: int) -> int:
    """Require a term in two answers, or more in big consultations, to ignore one-off typos."""
    if n_docs < 20:
        return 1
    return max(2, n_docs // 3000)


def build_matrix(corpus: PreparedCorpus, *, max_df: float = 0.5) -> TermMatrix:
    """Count features, prune rare and ubiquitous terms, then weight with sublinear TF-IDF."""
    vectoriser = CountVectorizer(analyzer=_identity, lowercase=False, dtype=np.float64)
    counts = sp.csr_matrix(vectoriser.fit_transform(corpus.doc_features))
    names = vectoriser.get_feature_names_out()
    present = counts.copy()
    present.data[:] = 1.0
    df_unique = np.asarray(present.sum(axis=0)).ravel()
    df_people = np.asarray(present.T @ np.asarray(corpus.doc_counts, dtype=np.float64)).ravel()
    keep = df_people >= min_df_for(corpus.n_docs)
    if corpus.n_docs >= 20:
        keep &= df_unique <= max_df * corpus.n_docs
    columns = np.flatnonzero(keep)
    counts = sp.csr_matrix(counts[:, columns])
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
    return TermMatrix(
        tfidf=sp.csr_matrix(tfidf),
        counts=counts,
        features=tuple(str(name) for name in names[columns]),
    )
