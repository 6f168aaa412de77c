"""Quotes for the groups outside themes: "Other" and no substantive comment."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from analysis.quotes import commonest_non_answers, other_quotes


def test_other_quotes_are_typical_and_not_near_copies() -> None:
    rows = np.array(
        [
            [1.0, 1.0, 0.0, 0.0],  # typical
            [1.0, 1.0, 0.0, 0.0],  # the same words again (a different text, same features)
            [1.0, 0.0, 1.0, 0.0],
            [0.0, 1.0, 0.0, 1.0],
            [0.0, 0.0, 0.0, 1.0],  # not in the group
        ]
    )
    x = sp.csr_matrix(normalize(rows))
    n_terms = np.full(5, 6.0)

    chosen = other_quotes(x, np.array([0, 1, 2, 3]), n_terms)

    assert chosen[0] in (0, 1)
    assert not {0, 1} <= set(chosen)  # near copies are never both quoted
    assert 4 not in chosen
    assert other_quotes(x, np.array([], dtype=np.int64), n_terms) == []


def test_commonest_distinct_non_answers_first() -> None:
    texts = ["Buses", "N/A", "no", "No.", "", None, "n/a", "NO", "nothing"]
    answer_doc = [0, -1, -1, -1, -1, -1, -1, -1, -1]

    assert commonest_non_answers(texts, answer_doc) == [2, 1, 8]
    assert commonest_non_answers(texts, answer_doc, n=1) == [2]
    assert commonest_non_answers(["Buses"], [0]) == []
