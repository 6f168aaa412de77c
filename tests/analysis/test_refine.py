"""The mixture refinement moves answers to the theme whose words explain all of theirs."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from analysis.factorise import Factors, memberships
from analysis.refine import refine


def _planted(rng: np.random.Generator) -> tuple[sp.csr_matrix, np.ndarray]:
    """60 answers on two topics with disjoint vocabularies of 6 words each, 3 words per answer."""
    rows = []
    topics = np.repeat([0, 1], 30)
    for topic in topics:
        row = np.zeros(12)
        row[rng.choice(6, size=3, replace=False) + 6 * topic] = 1.0
        rows.append(row)
    return sp.csr_matrix(normalize(np.array(rows))), topics


def test_misassigned_answers_move_to_the_theme_of_their_words() -> None:
    x, topics = _planted(np.random.default_rng(0))
    h = np.zeros((2, 12))
    h[0, :6] = h[1, 6:] = 1 / np.sqrt(6)
    w = np.zeros((60, 2))
    w[np.arange(60), topics] = 1.0
    wrong = np.arange(0, 60, 5)  # every fifth answer starts in the other theme
    w[wrong] = w[wrong][:, ::-1]

    refined = refine(x, Factors(w=w, h=h))

    assert (refined.primary == topics).all()
    primary, members = memberships(refined.factors.w)
    assert (primary == topics).all()  # the mixture's choice leads the memberships
    assert all(m[0] == p for m, p in zip(members, primary, strict=True))
    assert np.allclose(np.linalg.norm(refined.factors.h, axis=1), 1.0)


def test_an_answer_with_no_words_gets_no_theme() -> None:
    x, _ = _planted(np.random.default_rng(1))
    x = sp.vstack([x, sp.csr_matrix((1, 12))]).tocsr()
    w = np.vstack([np.eye(2)[np.repeat([0, 1], 30)], np.zeros((1, 2))])
    h = np.vstack([np.r_[np.ones(6), np.zeros(6)], np.r_[np.zeros(6), np.ones(6)]]) / np.sqrt(6)

    refined = refine(x, Factors(w=w, h=h))

    assert refined.primary[-1] == -1
    assert memberships(refined.factors.w)[1][-1] == ()
