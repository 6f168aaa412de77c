"""Evidence for themes that people drew: key words, a 95% range, tone and typical answers.

The theme engine describes the themes it finds. Once officers have renamed, merged, split and
moved answers, those descriptions no longer fit, so the same measures are taken again from the
answers each curated theme now holds: class-based TF-IDF key terms against the other themes,
the Wilson interval of its share, VADER tone, and the answers closest to its centre (the same
quote picker as the engine's, so quotes are typical first and then diverse).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from analysis import sentiment
from analysis.labels import key_terms
from analysis.preprocess import prepare
from analysis.quotes import N_QUOTES, pick_quotes
from analysis.stats import wilson
from analysis.vectorise import build_matrix


@dataclass(frozen=True)
class GroupEvidence:
    terms: tuple[str, ...]
    low: float  # 95% Wilson interval of the group's share of all answers
    high: float
    sentiment: dict[str, Any]  # analysis.sentiment.Tone.to_json()
    typical: tuple[str, ...]  # ids of the group's most typical answers, most typical first

    def to_json(self) -> dict[str, Any]:
        return {
            "terms": list(self.terms),
            "low": self.low,
            "high": self.high,
            "sentiment": self.sentiment,
            "typical": list(self.typical),
        }


def describe_groups(
    answers: Sequence[tuple[str, str]],
    groups: Sequence[Collection[str]],
    *,
    question_text: str = "",
) -> list[GroupEvidence]:
    """For each group of answer ids (a theme; an answer may be in several), its evidence.
    Shares are of all ``answers`` given: pass every answer to the question."""
    n = len(answers)
    corpus = prepare(answers, question_text=question_text)
    matrix = None
    if corpus.n_docs:
        try:
            matrix = build_matrix(corpus)
        except ValueError:  # every word was too rare or too common to weigh
            matrix = None
    if matrix is None:
        # Nothing to weigh words by: the group's first substantive answers stand for it.
        substantive = {i for i, doc in zip(corpus.ids, corpus.answer_doc, strict=True) if doc >= 0}
        return [
            GroupEvidence(
                (),
                *wilson(len(set(group)), n),
                _tone_of(answers, group),
                tuple(i for i in sorted(set(map(str, group)), key=_order) if i in substantive)[
                    :N_QUOTES
                ],
            )
            for group in groups
        ]
    x = matrix.tfidf
    doc_of = dict(zip(corpus.ids, corpus.answer_doc, strict=True))
    scores = [sentiment.compound(answers[first][1]) for first in corpus.doc_first]
    n_terms = np.asarray(x.getnnz(axis=1), dtype=np.float64)
    # How many of each group's answers fall on each unique text (groups x docs).
    weights = np.zeros((len(groups), corpus.n_docs))
    quoted: list[dict[int, str]] = []  # per group: for each text, one of its answers in the group
    for j, group in enumerate(groups):
        quoted.append({})
        for answer_id in sorted(set(map(str, group))):
            doc = doc_of.get(answer_id, -1)
            if doc >= 0:
                weights[j, doc] += 1
                quoted[j].setdefault(doc, answer_id)
    tf = weights @ matrix.counts.toarray()
    spread = tf.sum(axis=0)
    average = float(tf.sum()) / max(len(groups), 1)
    idf = np.log1p(average / np.where(spread > 0, spread, 1.0))
    term_weights = normalize((tf / np.maximum(tf.sum(axis=1, keepdims=True), 1.0)) * idf)
    found = []
    for j, group in enumerate(groups):
        docs = np.flatnonzero(weights[j] > 0)
        typical: tuple[str, ...] = ()
        if docs.size:
            centre = normalize(sp.csr_matrix(weights[j][docs]) @ x[docs])
            closeness = np.asarray((x @ centre.T).todense()).ravel()
            picked = pick_quotes(x, closeness, docs, n_terms)
            typical = tuple(quoted[j][d] for d in picked)
        tone = sentiment.tone([scores[d] for d in docs], [float(weights[j, d]) for d in docs])
        low, high = wilson(len(set(group)), n)
        found.append(
            GroupEvidence(
                terms=key_terms(term_weights[j], matrix.features, corpus.surfaces)
                if docs.size
                else (),
                low=low,
                high=high,
                sentiment=tone.to_json(),
                typical=typical,
            )
        )
    return found


def _tone_of(answers: Sequence[tuple[str, str]], group: Collection[str]) -> dict[str, Any]:
    wanted = set(map(str, group))
    scores = [sentiment.compound(text) for answer_id, text in answers if str(answer_id) in wanted]
    return sentiment.tone(scores, [1.0] * len(scores)).to_json()


def _order(answer_id: str) -> tuple[int, str]:
    return (int(answer_id), "") if answer_id.isdigit() else (0, answer_id)
