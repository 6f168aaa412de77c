"""One question's analysis in the shape it is stored in: themes (found, or mapped onto a
codebook), the word cloud, a cloud per theme and a note for the officer.

The worker reads the answers, calls ``analyse_answers`` with its database session closed, and
saves what comes back (``engage.findings.services.store_question_result``); it shapes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any

from analysis import pii, sentiment
from analysis.codebook import map_to_codebook
from analysis.codebook_file import Codebook
from analysis.errors import AnalysisError, EmbeddingsUnavailable
from analysis.preprocess import is_non_answer, normalise
from analysis.themes import find_themes
from analysis.types import SILENT, Progress, ThemeParams, ThemeResult
from analysis.wordcloud import render_word_cloud, term_weights

log = logging.getLogger(__name__)

WORD_CLOUD_TERMS = 100
QUOTE_LENGTH = (20, 300)  # characters: long enough to say something, short enough to read
EMBEDDINGS_FALLBACK_NOTE = (
    "Themes were found from word counts: the sentence-embedding model could not "
    "be used on this server (the worker's log says why)."
)

Answers = list[tuple[str, str]]  # (answer id, text)


@dataclass
class QuestionResult:
    """What is stored for one question of a run."""

    result: dict[str, Any] | None  # None: no themes (the note says why)
    method: str = ""
    note: str | None = None
    word_cloud_png: bytes | None = None
    word_cloud_terms: list[str] = field(default_factory=list)
    theme_clouds: dict[str, bytes] = field(default_factory=dict)


def analyse_answers(
    answers: Answers,
    params: ThemeParams,
    codebook: dict[str, Any] | None = None,
    progress: Progress = SILENT,
) -> QuestionResult:
    """Themes for ``answers`` (mapped onto ``codebook`` when given) and their word clouds.

    ``progress`` is told each step in words, for the officer waiting on the run page.
    """
    # Word clouds are shown to everyone who reads the findings: no personal details in them.
    texts = [pii.mask(text, placeholders=False).text for _, text in answers]
    out = QuestionResult(result=None)
    try:
        if codebook is not None:
            out.result, out.method, out.note = codebook_result(
                answers, texts, codebook, params, progress
            )
        else:
            found, out.note = themes_or_word_counts(answers, params, progress)
            out.result, out.method = found.to_json(), found.method
    except AnalysisError as exc:
        out.note = str(exc)
    progress("drawing the word clouds")
    weights = term_weights(texts, params, top=WORD_CLOUD_TERMS) if texts else {}
    out.word_cloud_png = render_word_cloud(weights) if weights else None
    out.word_cloud_terms = sorted(weights, key=weights.__getitem__, reverse=True)[:20]
    if out.result:
        out.theme_clouds = theme_clouds(out.result, answers, texts, params)
    return out


def themes_or_word_counts(
    answers: Answers, params: ThemeParams, progress: Progress = SILENT
) -> tuple[ThemeResult, str | None]:
    """Free themes; when the embedding model cannot be used, word-count themes and a note."""
    try:
        return find_themes(answers, params, progress), None
    except EmbeddingsUnavailable as exc:
        # Officers still get themes; the note (shown with the findings) says they come from
        # word counts, and the log, not the page, names the server's folders.
        log.warning("sentence embeddings unavailable: %s", exc)
        tfidf = replace(params, method="tfidf")
        return find_themes(answers, tfidf, progress), EMBEDDINGS_FALLBACK_NOTE


def codebook_result(
    answers: Answers,
    masked: list[str],
    codebook: dict[str, Any],
    params: ThemeParams,
    progress: Progress = SILENT,
) -> tuple[dict[str, Any], str, str | None]:
    """Answers mapped onto a codebook, in the stored shape of ``find_themes``' result.

    Codebook themes keep their codebook ids and come first, in codebook order; proposed new
    themes follow. Codebook themes get key words (from their answers, masked) and a tone, as
    found themes have, so findings pages show them alike. When the embedding model cannot be
    used, answers are mapped by their words alone and the note says so.
    """
    note = None
    try:
        mapped = map_to_codebook(answers, Codebook.from_json(codebook), params, progress).to_json()
    except EmbeddingsUnavailable as exc:
        log.warning("sentence embeddings unavailable: %s", exc)
        tfidf = replace(params, method="tfidf")
        mapped = map_to_codebook(answers, Codebook.from_json(codebook), tfidf, progress).to_json()
        note = EMBEDDINGS_FALLBACK_NOTE
    index_of = {answer_id: n for n, (answer_id, _) in enumerate(answers)}
    members: dict[str, list[int]] = {}
    for assignment in mapped["assignments"]:
        for key in assignment["themes"]:
            members.setdefault(key, []).append(index_of[assignment["id"]])
    themes: list[dict[str, Any]] = []
    for item in mapped["themes"]:
        rows = members.get(item["id"], [])
        weights = term_weights([masked[n] for n in rows], params, top=8) if rows else {}
        scores = [sentiment.compound(answers[n][1]) for n in rows]
        low, high = item["interval"]
        themes.append(
            {
                "id": item["id"],
                "kind": "codebook",
                "label": item["label"],
                "terms": list(weights),
                "size": item["size"],
                "share": item["share"],
                "low": low,
                "high": high,
                "sentiment": sentiment.tone(scores, [1.0] * len(scores)).to_json() if rows else {},
                "quotes": item["quotes"],
            }
        )
    themes += [{**item, "kind": "proposed"} for item in mapped["proposed_themes"]]
    assignments = []
    groups: dict[str, list[str]] = {"no_comment": [], "other": []}
    for assignment in mapped["assignments"]:
        keys = [*assignment["themes"], *assignment["proposed"]]
        assignments.append(
            {"id": assignment["id"], "themes": keys, "primary": keys[0] if keys else None}
        )
        if not keys:
            text = answers[index_of[assignment["id"]]][1]
            groups["no_comment" if says_nothing(text) else "other"].append(assignment["id"])
    result = {
        "themes": themes,
        "assignments": assignments,
        "no_comment": len(groups["no_comment"]),
        "other": len(groups["other"]),
        "no_comment_quotes": group_quotes(groups["no_comment"], answers, index_of),
        "other_quotes": group_quotes(groups["other"], answers, index_of),
    }
    return result, str(mapped["method"]), note


def says_nothing(text: str) -> bool:
    """A whole answer such as "No" or "N/A", which fits no theme and proposes none."""
    return not normalise(text or "").strip() or is_non_answer(normalise(text or ""))


def group_quotes(ids: list[str], answers: Answers, index_of: dict[str, int]) -> list[str]:
    """Up to 3 different answers of a group, preferring ones of a readable length."""
    seen: set[str] = set()
    distinct = []
    for answer_id in ids:
        key = " ".join(answers[index_of[answer_id]][1].lower().split())
        if key and key not in seen:
            seen.add(key)
            distinct.append(answer_id)
    low, high = QUOTE_LENGTH

    def readable(answer_id: str) -> bool:
        return low <= len(answers[index_of[answer_id]][1]) <= high

    return sorted(distinct, key=lambda answer_id: not readable(answer_id))[:3]


def theme_clouds(
    result: dict[str, Any], answers: Answers, masked: list[str], params: ThemeParams
) -> dict[str, bytes]:
    """One word cloud per theme, from the (masked) answers that raise it."""
    text_of = {answer_id: text for (answer_id, _), text in zip(answers, masked, strict=True)}
    members: dict[str, list[str]] = {}
    for assignment in result["assignments"]:
        for key in assignment["themes"]:
            members.setdefault(key, []).append(text_of[assignment["id"]])
    clouds = {}
    for key, texts in members.items():
        weights = term_weights(texts, params, top=WORD_CLOUD_TERMS // 2)
        if weights:
            clouds[key] = render_word_cloud(weights, width=600, height=300)
    return clouds
