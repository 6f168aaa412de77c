"""Find the themes in one question's free-text answers.

The pipeline: normalise and de-duplicate answers, drop non-answers, build stemmed unigram and
bigram TF-IDF features, factorise with NMF (choosing the number of themes by over-segmenting and
merging unless it is given), sharpen the main themes with a mixture of unigrams and then iterative
classification with outlier removal, assign each answer to every theme close to its strongest,
then label themes and pick quotes. Each step lives in its own module so it can be improved on its
own.

With the embedding method (the default, `ThemeParams.method`), meaning joins in two ways,
depending on the question's size:

- Under `analysis.iterate.MIN_ANSWERS` (1,000) distinct answers, most of a partnership's
  questions, the answers' sentence embeddings are clustered (`analysis.semantic`): with 150-400
  short answers words are too sparse to tell themes apart, and meaning is not.
- From 1,000 up, the words' pipeline above runs, and its iterative classification reads each
  answer's embedding beside its words. Embedding clusters alone were behind the words at this
  size on all four short-text sets (automatic k, NMI ratio searchsnippets 1.63 against 1.70,
  stackoverflow 1.01 against 1.13); with both, ahead on all four (docs/benchmarks.md, issue 23).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analysis import phrases, sentiment
from analysis.errors import AnalysisError, NotEnoughText
from analysis.factorise import factorise, memberships
from analysis.iterate import MIN_ANSWERS, iterate
from analysis.labels import describe_themes
from analysis.merging import choose_initial_themes
from analysis.preprocess import PreparedCorpus, Stemmer, build_stop_list, prepare
from analysis.quotes import commonest_non_answers, other_quotes, pick_quotes
from analysis.refine import refine, theme_weights
from analysis.semantic import embedding_factors, meaning_of
from analysis.stats import wilson
from analysis.types import SILENT, Assignment, Progress, Theme, ThemeParams, ThemeResult
from analysis.vectorise import build_matrix

METHOD = "tfidf-nmf"
EMBEDDING_METHOD = "embeddings-kmeans"
HYBRID_METHOD = "tfidf-nmf-embeddings"
# Fewer distinct substantive answers than this cannot support themes.
MIN_DISTINCT_ANSWERS = 5


def _check(answers: Sequence[tuple[str, str]], params: ThemeParams) -> None:
    if params.k is not None and params.k < 1:
        raise AnalysisError("The number of themes must be at least 1.")
    for item in answers:  # tuples, lists or database rows: anything that unpacks into two
        try:
            _, _ = item
        except (TypeError, ValueError):
            raise AnalysisError("Each answer must be an (id, text) pair.") from None


def _not_enough(corpus: PreparedCorpus) -> NotEnoughText:
    return NotEnoughText(
        f"Only {corpus.n_docs} of {corpus.n_answers} answers have enough words to find themes "
        f"(at least {MIN_DISTINCT_ANSWERS} different, substantive answers are needed)."
    )


def method_of(params: ThemeParams, distinct_answers: int) -> str:
    """Which way `find_themes` groups these answers: the stored method name."""
    if params.method != "embeddings":
        return METHOD
    return EMBEDDING_METHOD if distinct_answers < MIN_ANSWERS else HYBRID_METHOD


# Pairs of words are labels only as the answers write them, or when the answers use them together
# (analysis.phrases); False keeps the earlier rule (bench/labels.py compares the two in one run).
PHRASE_LABELS = True


def _written(
    answers: Sequence[tuple[str, str]], corpus: PreparedCorpus, params: ThemeParams
) -> phrases.Written:
    stemmer = Stemmer()
    stop_list = build_stop_list(stemmer, params.question_text, params.extra_stop_words)
    texts = (answers[first][1] or "" for first in corpus.doc_first)
    return phrases.read(texts, stop_list, stemmer)


def find_themes(
    answers: Sequence[tuple[str, str]],
    params: ThemeParams = ThemeParams(),  # noqa: B008 - frozen dataclass, safe to share
    progress: Progress = SILENT,
) -> ThemeResult:
    """Themes in `answers`, (answer_id, text) pairs, with one assignment per answer in order.

    Raises NotEnoughText when too few answers say anything, AnalysisError for bad parameters.
    """
    _check(answers, params)
    corpus = prepare(
        answers, question_text=params.question_text, extra_stop_words=params.extra_stop_words
    )
    if corpus.n_docs < MIN_DISTINCT_ANSWERS:
        raise _not_enough(corpus)
    matrix = build_matrix(corpus)
    x = matrix.tfidf
    if x.nnz == 0 or len(matrix.features) < 2:
        raise _not_enough(corpus)
    doc_counts = np.asarray(corpus.doc_counts, dtype=np.float64)
    meaning = params.method == "embeddings"
    if meaning:
        progress(f"reading what {corpus.n_docs:,} different answers mean")
    else:
        progress(f"grouping {corpus.n_docs:,} different answers by their words")
    if meaning and corpus.n_docs < MIN_ANSWERS:  # a consultation-sized question: see above
        factors = embedding_factors(answers, corpus, matrix, params)
    else:
        if params.k is None:
            initial = choose_initial_themes(x, doc_counts, seed=params.seed)
            factors = factorise(x, initial.shape[0], seed=params.seed, init_h=initial)
        else:
            k = min(params.k, corpus.n_docs, len(matrix.features))
            factors = factorise(x, k, seed=params.seed)
        refined = refine(x, factors, seed=params.seed)
        e = meaning_of(answers, corpus, params) if meaning else None
        if e is not None:
            progress("placing each answer by its words and its meaning")
        primary = iterate(x, refined.primary, seed=params.seed, meaning=e)
        factors = theme_weights(x, primary, refined.factors.h)
    primary, members = memberships(factors.w)

    k_fitted = factors.h.shape[0]
    sizes = np.zeros(k_fitted)
    primary_sizes = np.zeros(k_fitted)
    for doc, doc_themes in enumerate(members):
        for j in doc_themes:
            sizes[j] += doc_counts[doc]
        if doc_themes:
            primary_sizes[doc_themes[0]] += doc_counts[doc]
    order = sorted(range(k_fitted), key=lambda j: (-sizes[j], -primary_sizes[j], j))
    if params.k is None:
        order = [j for j in order if sizes[j] > 0]  # merging can leave a theme with no answers
    theme_id = {j: f"t{rank + 1}" for rank, j in enumerate(order)}

    progress(f"naming {len(order)} themes and choosing their quotes")
    written = _written(answers, corpus, params) if PHRASE_LABELS else None
    descriptions = describe_themes(factors.h[order], matrix.features, corpus.surfaces, written)
    n_terms = np.asarray(x.getnnz(axis=1), dtype=np.float64)
    doc_scores = [sentiment.compound(answers[first][1]) for first in corpus.doc_first]
    themes: list[Theme] = []
    for rank, j in enumerate(order):
        candidates = np.flatnonzero(primary == j)
        if candidates.size == 0:
            candidates = np.array([d for d, m in enumerate(members) if j in m], dtype=np.int64)
        quote_docs = pick_quotes(x, factors.w[:, j], candidates, n_terms)
        in_theme = [d for d, m in enumerate(members) if j in m]
        low, high = wilson(int(sizes[j]), corpus.n_answers)
        theme_tone = sentiment.tone(
            [doc_scores[d] for d in in_theme], [doc_counts[d] for d in in_theme]
        )
        themes.append(
            Theme(
                id=theme_id[j],
                label=descriptions[rank].label,
                terms=descriptions[rank].terms,
                size=int(sizes[j]),
                share=round(float(sizes[j]) / corpus.n_answers, 4),
                quotes=tuple(corpus.ids[corpus.doc_first[d]] for d in quote_docs),
                low=low,
                high=high,
                sentiment=theme_tone.to_json(),
            )
        )

    assignments: list[Assignment] = []
    no_comment = other = 0
    for answer_id, doc in zip(corpus.ids, corpus.answer_doc, strict=True):
        ids = tuple(theme_id[j] for j in members[doc] if j in theme_id) if doc >= 0 else ()
        assignments.append(Assignment(id=answer_id, themes=ids, primary=ids[0] if ids else None))
        no_comment += doc < 0
        other += doc >= 0 and not ids
    other_docs = np.array(
        [d for d, m in enumerate(members) if not any(j in theme_id for j in m)], dtype=np.int64
    )
    non_answers = commonest_non_answers([text for _, text in answers], corpus.answer_doc)
    return ThemeResult(
        themes=tuple(themes),
        assignments=tuple(assignments),
        method=method_of(params, corpus.n_docs),
        k=len(themes),
        no_comment=no_comment,
        other=other,
        other_quotes=tuple(
            corpus.ids[corpus.doc_first[d]] for d in other_quotes(x, other_docs, n_terms)
        ),
        no_comment_quotes=tuple(corpus.ids[i] for i in non_answers),
    )
