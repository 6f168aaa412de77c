"""Codebook mode: map answers onto themes officers already have, and propose themes for the rest.

Officers often start from a framework rather than a blank page: the partnership's strategic
priorities, or the codebook of an earlier consultation. Each answer is scored against every
codebook theme by the cosine of its stemmed unigram and bigram TF-IDF vector with the theme's
prototype (its label, description and example answers). When every theme has a few examples, a
one-vs-rest logistic regression trained on them is averaged in, which learns which words tell
neighbouring themes apart. An answer joins its best theme and every theme scoring close to it;
each sentence (or contrasting clause) of a longer answer also brings its own best theme, because
residents who raise two points usually do so in two sentences. Answers that fit no theme are passed
to `find_themes` so officers see what their framework misses.

Everything runs offline, with the same stemming and stop words as `find_themes`. The scoring
and the choice of an answer's themes from its scores live in `analysis.codebook_scoring`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

from analysis import codebook_embeddings as semantic
from analysis.codebook_file import Codebook, CodebookError
from analysis.codebook_scoring import (
    DEFAULT_FLOOR,
    FLOOR_SHARE_OF_TYPICAL,
    choose_themes,
    fit_word_scorer,
)
from analysis.errors import AnalysisError, NotEnoughText
from analysis.preprocess import (
    Analyser,
    Stemmer,
    build_stop_list,
    clean,
    duplicate_key,
    is_non_answer,
)
from analysis.quotes import pick_quotes
from analysis.stats import wilson
from analysis.themes import find_themes
from analysis.types import SILENT, Progress, Theme, ThemeParams

METHOD_SIMILARITY = "codebook-tfidf"
METHOD_MODEL = "codebook-tfidf-logreg"
PROPOSED_PREFIX = "new"

# Sentence ends, line breaks and the words people use to turn to a second point.
_SEGMENT_BREAK = re.compile(
    r"(?<=[.!?;])\s+|[\r\n]+|\s+(?=(?:however|but|yet|although|whereas|on the other)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class MappedTheme:
    """A codebook theme with how many answers raise it and which answers to quote."""

    id: str
    label: str
    size: int  # answers assigned, counting identical answers
    share: float  # size / number of answers
    interval: tuple[float, float]  # 95% Wilson interval of the share
    quotes: tuple[str, ...]  # up to 3 answer ids: most typical, diversified

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types only."""
        return {
            "id": self.id,
            "label": self.label,
            "size": self.size,
            "share": self.share,
            "interval": list(self.interval),
            "quotes": list(self.quotes),
        }


@dataclass(frozen=True)
class CodebookAssignment:
    """One answer's codebook themes (best first) and, if it fits none, its proposed new theme."""

    id: str
    themes: tuple[str, ...]
    primary: str | None
    proposed: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types only."""
        return {
            "id": self.id,
            "themes": list(self.themes),
            "primary": self.primary,
            "proposed": list(self.proposed),
        }


@dataclass(frozen=True)
class CodebookResult:
    """Answers mapped onto a codebook, one assignment per input answer in input order."""

    themes: tuple[MappedTheme, ...]  # in codebook order
    proposed: tuple[Theme, ...]  # new themes found among answers that fit none
    assignments: tuple[CodebookAssignment, ...]
    unmatched: int  # substantive answers that fit no codebook theme
    method: str

    def to_json(self) -> dict[str, Any]:
        """The stored shape, in plain JSON types."""
        return {
            "themes": [theme.to_json() for theme in self.themes],
            "proposed_themes": [theme.to_json() for theme in self.proposed],
            "assignments": [assignment.to_json() for assignment in self.assignments],
            "unmatched": self.unmatched,
            "method": self.method,
        }


def segments(text: str) -> list[str]:
    """Sentences and contrasting clauses ("..., however ...") of a cleaned answer."""
    return [part for part in _SEGMENT_BREAK.split(text) if part and part.strip()]


def _check(answers: Sequence[tuple[str, str]]) -> None:
    for item in answers:
        try:
            _, _ = item
        except (TypeError, ValueError):
            raise AnalysisError("Each answer must be an (id, text) pair.") from None


def _proposed_ids(codebook: Codebook) -> str:
    """A prefix for proposed theme ids that no codebook id starts with."""
    taken = {theme.id for theme in codebook.themes}
    prefix = PROPOSED_PREFIX
    while any(theme_id.startswith(prefix) for theme_id in taken):
        prefix = f"{prefix}-"
    return prefix


def map_to_codebook(
    answers: Sequence[tuple[str, str]],
    codebook: Codebook,
    params: ThemeParams = ThemeParams(),  # noqa: B008 - frozen dataclass, safe to share
    progress: Progress = SILENT,
) -> CodebookResult:
    """Codebook themes of each (answer_id, text) pair, and new themes among those that fit none.

    Identical answers are scored once and counted for each respondent; non-answers ("N/A", "No")
    fit no theme and are not proposed as one. `params.k` is ignored: the codebook sets the themes.
    """
    _check(answers)
    stemmer = Stemmer()
    analyser = Analyser(
        stop_list=build_stop_list(stemmer, params.question_text, params.extra_stop_words),
        stemmer=stemmer,
    )

    def features(text: str) -> tuple[str, ...]:
        return tuple(analyser.features(clean(text)))

    theme_texts = [clean(f"{theme.label}. {theme.description}") for theme in codebook.themes]
    theme_docs = [tuple(analyser.features(text)) for text in theme_texts]
    example_docs: list[tuple[str, ...]] = []
    example_texts: list[str] = []
    example_themes: list[set[int]] = []
    example_row: dict[str, int] = {}
    for j, theme in enumerate(codebook.themes):
        for text in theme.examples:
            key = duplicate_key(clean(text))
            if key in example_row:  # one example listed under several themes
                example_themes[example_row[key]].add(j)
                continue
            example = features(text)
            if example:
                example_row[key] = len(example_docs)
                example_docs.append(example)
                example_texts.append(clean(text))
                example_themes.append({j})
    # By meaning, a label of common words alone ("It is not fair") still says something; by
    # words it matches nothing.
    for j, theme in enumerate(codebook.themes):
        by_meaning = params.method == "embeddings" and bool(theme_texts[j].strip(" ."))
        if not theme_docs[j] and not by_meaning and j not in set().union(*example_themes):
            raise CodebookError(
                f'Theme "{theme.id}" has no words that answers could match: give it a '
                "more specific label, a description or example answers."
            )

    # Unique substantive answers, and the way back from every input answer.
    doc_of_key: dict[str, int] = {}
    answer_doc: list[int] = []
    docs: list[tuple[str, ...]] = []
    texts: list[str] = []
    counts: list[int] = []
    first: list[int] = []
    for index, (_, text) in enumerate(answers):
        cleaned = clean("" if text is None else str(text))
        key = duplicate_key(cleaned)
        doc = doc_of_key.get(key)
        if doc is None:
            words = () if is_non_answer(cleaned.lower()) else features(cleaned)
            doc = -1
            if words:
                doc = doc_of_key[key] = len(docs)
                docs.append(words)
                texts.append(cleaned)
                counts.append(0)
                first.append(index)
            else:
                doc_of_key[key] = -1
        if doc >= 0:
            counts[doc] += 1
        answer_doc.append(doc)

    segment_docs: list[tuple[str, ...]] = []
    segment_texts: list[str] = []
    segment_owner: list[int] = []
    for doc, text in enumerate(texts):
        parts = segments(text)
        if len(parts) > 1:
            for part in parts:
                words = features(part)
                if words:
                    segment_docs.append(words)
                    segment_texts.append(part.strip())
                    segment_owner.append(doc)

    counter = CountVectorizer(analyzer=_identity, lowercase=False, dtype=np.float64)
    counter.fit([*docs, *theme_docs, *example_docs])
    tfidf = TfidfTransformer(sublinear_tf=True)
    tfidf.fit(counter.transform([*docs, *theme_docs, *example_docs]))

    def vectors(rows: list[tuple[str, ...]]) -> sp.csr_matrix:
        if not rows:
            return sp.csr_matrix((0, len(counter.vocabulary_)))
        return sp.csr_matrix(tfidf.transform(counter.transform(rows)))

    progress(f"matching {len(docs):,} different answers to {len(codebook.themes)} codebook themes")
    scorer = fit_word_scorer(vectors(theme_docs), vectors(example_docs), example_themes)
    x = vectors(docs)
    similarity, score = scorer(x)
    seg_similarity, seg_score = scorer(vectors(segment_docs))
    method = METHOD_SIMILARITY if scorer.models is None else METHOD_MODEL
    second, seg_second = similarity, seg_similarity
    if params.method == "embeddings":
        # Only this method loads the embedding model (and PyTorch), on first use.
        meaning = semantic.fit_scorer(
            theme_texts, example_texts, example_themes, params.embedding_model
        )
        blended, segment_blended = semantic.blend(
            meaning(texts),
            meaning(segment_texts),
            semantic.Blend(similarity, score),
            semantic.Blend(seg_similarity, seg_score),
            min_word_fit=DEFAULT_FLOOR / FLOOR_SHARE_OF_TYPICAL,
        )
        similarity, score = blended.similarity, blended.score
        seg_similarity, seg_score = segment_blended.similarity, segment_blended.score
        if blended.second is not None and segment_blended.second is not None:
            second, seg_second = blended.second, segment_blended.second
        method += semantic.METHOD_SUFFIX
    owner = np.asarray(segment_owner, dtype=np.int64)
    bounds = np.searchsorted(owner, np.arange(len(docs) + 1))
    doc_themes = [
        choose_themes(
            similarity[d],
            score[d],
            seg_similarity[bounds[d] : bounds[d + 1]],
            seg_score[bounds[d] : bounds[d + 1]],
            scorer.floor,
            second=second[d],
            segment_second=seg_second[bounds[d] : bounds[d + 1]],
        )
        for d in range(len(docs))
    ]

    return _result(
        answers, codebook, params, method, x, score, doc_themes, answer_doc, counts, progress
    )


def _identity(doc: tuple[str, ...]) -> tuple[str, ...]:
    return doc


def _result(
    answers: Sequence[tuple[str, str]],
    codebook: Codebook,
    params: ThemeParams,
    method: str,
    x: sp.csr_matrix,
    score: npt.NDArray[np.float64],
    doc_themes: list[tuple[int, ...]],
    answer_doc: list[int],
    counts: list[int],
    progress: Progress = SILENT,
) -> CodebookResult:
    n_answers = len(answers)
    sizes = np.zeros(len(codebook.themes), dtype=np.int64)
    for doc, themes in enumerate(doc_themes):
        for j in themes:
            sizes[j] += counts[doc]
    n_terms = np.asarray(x.getnnz(axis=1), dtype=np.float64)
    first_answer: dict[int, int] = {}
    for index, doc in enumerate(answer_doc):
        first_answer.setdefault(doc, index)
    mapped = []
    for j, theme in enumerate(codebook.themes):
        members = np.array([d for d, themes in enumerate(doc_themes) if j in themes], np.int64)
        quotes = pick_quotes(x, score[:, j], members, n_terms) if members.size else []
        mapped.append(
            MappedTheme(
                id=theme.id,
                label=theme.label,
                size=int(sizes[j]),
                share=round(int(sizes[j]) / n_answers, 4) if n_answers else 0.0,
                interval=wilson(int(sizes[j]), n_answers),
                quotes=tuple(str(answers[first_answer[d]][0]) for d in quotes),
            )
        )

    leftover = [index for index, doc in enumerate(answer_doc) if doc >= 0 and not doc_themes[doc]]
    proposed, proposed_of = _propose(answers, leftover, codebook, params, n_answers, progress)
    assignments = []
    for index, ((answer_id, _), doc) in enumerate(zip(answers, answer_doc, strict=True)):
        ids = tuple(codebook.themes[j].id for j in doc_themes[doc]) if doc >= 0 else ()
        assignments.append(
            CodebookAssignment(
                id=str(answer_id),
                themes=ids,
                primary=ids[0] if ids else None,
                proposed=proposed_of.get(index, ()),
            )
        )
    return CodebookResult(
        themes=tuple(mapped),
        proposed=proposed,
        assignments=tuple(assignments),
        unmatched=len(leftover),
        method=method,
    )


def _propose(
    answers: Sequence[tuple[str, str]],
    leftover: list[int],
    codebook: Codebook,
    params: ThemeParams,
    n_answers: int,
    progress: Progress = SILENT,
) -> tuple[tuple[Theme, ...], dict[int, tuple[str, ...]]]:
    """New themes among answers that fit no codebook theme, with ids that cannot clash."""
    if not leftover:
        return (), {}
    found_params = replace(params, k=None)
    try:
        progress(f"looking for new themes in {len(leftover):,} answers the codebook misses")
        found = find_themes([answers[index] for index in leftover], found_params, progress)
    except NotEnoughText:
        return (), {}
    prefix = _proposed_ids(codebook)
    new_id = {theme.id: f"{prefix}{rank}" for rank, theme in enumerate(found.themes, start=1)}
    proposed = tuple(
        replace(
            theme,
            id=new_id[theme.id],
            share=round(theme.size / n_answers, 4) if n_answers else 0.0,
        )
        for theme in found.themes
    )
    proposed_of = {
        index: tuple(new_id[theme_id] for theme_id in assignment.themes if theme_id in new_id)
        for index, assignment in zip(leftover, found.assignments, strict=True)
    }
    return proposed, proposed_of
