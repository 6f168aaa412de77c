"""Iterative classification with outlier removal corrects a clustering's mistakes."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from analysis.iterate import MIN_ANSWERS, iterate, theme_specificity


def _planted(n: int, rng: np.random.Generator) -> tuple[sp.csr_matrix, np.ndarray]:
    """n answers on three topics: 3 of a topic's 10 words each, plus 1 of 5 words all topics use."""
    topics = rng.integers(0, 3, size=n)
    rows = np.zeros((n, 35))
    for i, topic in enumerate(topics):
        rows[i, rng.choice(10, size=3, replace=False) + 10 * topic] = 1.0
        rows[i, 30 + rng.integers(5)] = 1.0
    return sp.csr_matrix(normalize(rows)), topics


def test_mislabelled_answers_are_moved_back() -> None:
    rng = np.random.default_rng(0)
    x, topics = _planted(MIN_ANSWERS + 200, rng)
    start = topics.copy()
    wrong = rng.random(topics.size) < 0.15
    start[wrong] = (topics[wrong] + 1) % 3

    found = iterate(x, start, seed=0)

    assert np.mean(found != topics) < 0.02
    assert np.mean(start != topics) > 0.1


def test_same_seed_same_result_and_input_untouched() -> None:
    x, topics = _planted(MIN_ANSWERS, np.random.default_rng(1))
    start = topics.copy()
    start[::7] = (start[::7] + 1) % 3
    before = start.copy()

    assert (iterate(x, start, seed=3) == iterate(x, start, seed=3)).all()
    assert (start == before).all()


def test_answers_with_no_theme_or_no_words_keep_none() -> None:
    x, topics = _planted(MIN_ANSWERS, np.random.default_rng(2))
    x = sp.vstack([x, sp.csr_matrix((1, 35))]).tocsr()
    start = np.r_[topics, -1]
    start[5] = -1

    found = iterate(x, start, seed=0)

    assert found[-1] == -1
    assert found[5] == -1


def test_small_consultations_are_left_alone() -> None:
    x, topics = _planted(MIN_ANSWERS - 1, np.random.default_rng(3))
    start = topics.copy()
    start[::5] = (start[::5] + 1) % 3

    assert (iterate(x, start, seed=0) == start).all()


def test_specificity_favours_words_one_theme_uses_over_words_all_use() -> None:
    x, topics = _planted(600, np.random.default_rng(4))

    weights = theme_specificity(x, topics)

    # Columns 0-29 belong to one topic each; 30-34 are the words every topic uses.
    assert weights[:30].min() > 0.9
    assert weights[30:].max() < 0.1


def test_a_shared_word_no_longer_pulls_answers_into_the_wrong_theme() -> None:
    """The mixture restarts on specific words: answers sharing only the common word separate."""
    rng = np.random.default_rng(5)
    x, topics = _planted(MIN_ANSWERS + 200, rng)
    start = topics.copy()
    # A clustering that lumped a quarter of topic 2 into topic 0 by the common words they share.
    start[(topics == 2) & (rng.random(topics.size) < 0.25)] = 0

    found = iterate(x, start, seed=1)

    assert np.mean(found[topics == 2] == 2) > 0.97


def test_rounds_stop_when_only_churn_is_left(monkeypatch) -> None:
    # A classifier that always moves the same few answers back and forth: no round reaches a new
    # low, so the rounds stop after PATIENCE more instead of running all ROUNDS.
    from analysis import iterate as module

    fits = []

    class Churning:
        def __init__(self, **_: object) -> None:
            self.classes_ = np.arange(3)

        def fit(self, x, labels):
            fits.append(1)
            self.labels = labels
            return self

        def decision_function(self, x):
            flip = len(fits) % 2  # every other round the first 30 answers swap themes
            scores = np.zeros((x.shape[0], 3))
            scores[np.arange(x.shape[0]), np.arange(x.shape[0]) % 3] = 1.0
            scores[:30] = np.roll(scores[:30], flip, axis=1)
            return scores

    monkeypatch.setattr(module, "SGDClassifier", Churning)
    x, topics = _planted(MIN_ANSWERS, np.random.default_rng(3))
    labels = np.arange(topics.size) % 3
    module._rounds(x, labels, np.ones(topics.size, dtype=bool), np.random.default_rng(0), 0)

    # The first round or two set the low (which answers are drawn for training varies a little).
    assert len(fits) <= module.PATIENCE + 2
    assert len(fits) < module.ROUNDS


def test_passes_stop_once_a_pass_moves_hardly_any_answer(monkeypatch) -> None:
    # Clean topics: the first pass puts the mislabelled answers back, the second moves none, so
    # the passes stop there instead of running all PASSES.
    from analysis import iterate as module

    passes = []
    rounds = module._rounds

    def counted(*args, **kwargs):
        passes.append(1)
        return rounds(*args, **kwargs)

    monkeypatch.setattr(module, "_rounds", counted)
    rng = np.random.default_rng(6)
    x, topics = _planted(MIN_ANSWERS + 200, rng)
    start = topics.copy()
    start[rng.random(topics.size) < 0.15] = 0

    found = module.iterate(x, start, seed=0)

    assert np.mean(found != topics) < 0.02
    assert len(passes) == 2 < module.PASSES
