"""The guide's plain baseline, kept apart from the engine so it never changes when the engine does.

"stem+bigram TF-IDF + NMF" from docs/text-mining guide: regex tokens, scikit-learn stop words,
NLTK Snowball stems, unigrams and bigrams, sublinear tf, min_df=2, max_df=0.5, NMF at a given k,
each answer assigned to the argmax of W.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence

import numpy as np
from nltk.stem.snowball import SnowballStemmer
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def _analyser() -> object:
    stemmer = SnowballStemmer("english")
    cache: dict[str, str] = {}

    def stem(word: str) -> str:
        found = cache.get(word)
        if found is None:
            found = cache[word] = stemmer.stem(word)
        return found

    def analyse(text: str) -> list[str]:
        tokens = [stem(t) for t in _TOKEN.findall(text.lower()) if t not in ENGLISH_STOP_WORDS]
        return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]

    return analyse


def baseline_labels(texts: Sequence[str], k: int, seed: int) -> np.ndarray:
    """One cluster per text: argmax of the NMF weights of stem+bigram TF-IDF."""
    vectoriser = TfidfVectorizer(
        analyzer=_analyser(), sublinear_tf=True, min_df=2, max_df=0.5, dtype=np.float64
    )
    x = vectoriser.fit_transform(texts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        w = NMF(k, init="nndsvda", random_state=seed, max_iter=300).fit_transform(x)
    labels = w.argmax(axis=1)
    labels[w.max(axis=1) == 0] = -1  # no terms left: its own "no theme" group
    return labels
