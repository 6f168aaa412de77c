"""Typed, immutable inputs and outputs of the analysis package.

Callers (the worker, the CLI) pass parameters in and store results out; frozen dataclasses keep a
stored result from being changed behind its back and make results easy to compare in tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from analysis.errors import AnalysisError

# How answers are grouped: "embeddings" (meaning and words, the default; the model ships with
# Engage) or "tfidf" (words only: the fallback when the model cannot be used).
METHODS = ("embeddings", "tfidf")
# Told each step of a long analysis in words ("reading what 100,000 answers mean"), so the
# officer waiting on the run page sees more than a question count.
Progress = Callable[[str], None]


def _silent(step: str) -> None:
    """A Progress that tells nobody."""


SILENT: Progress = _silent


@dataclass(frozen=True)
class ThemeParams:
    """How to look for themes in one question's answers."""

    k: int | None = None  # None = choose the number of themes automatically
    seed: int = 0
    question_text: str = ""  # its words are added to the stop list
    extra_stop_words: tuple[str, ...] = ()
    method: str = "embeddings"
    # Another sentence-embedding model's folder; None reads ENGAGE_EMBEDDING_MODEL, and unset
    # means the model shipped with Engage.
    embedding_model: str | None = None

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise AnalysisError(
                f"Unknown analysis method {self.method!r}: use one of {', '.join(METHODS)}."
            )


@dataclass(frozen=True)
class Theme:
    """One theme: a readable label, its key terms, how many answers raise it and typical quotes."""

    id: str  # "t1", "t2", ... in descending size order
    label: str  # 2-4 readable words (surface forms, not stems)
    terms: tuple[str, ...]  # top key terms (surface forms)
    size: int  # number of answers assigned, counting duplicates
    share: float  # size / number of answers (0..1)
    quotes: tuple[str, ...]  # up to 3 answer ids: most typical, diversified
    low: float = 0.0  # 95% Wilson interval of the share
    high: float = 0.0
    # VADER tone of the theme's answers: mean, positive/negative/neutral shares and a label.
    # Tone is not stance: a polite objection reads positive.
    sentiment: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types only, so the result can be stored in a JSON column or file as is."""
        return {
            "id": self.id,
            "label": self.label,
            "terms": list(self.terms),
            "size": self.size,
            "share": self.share,
            "low": self.low,
            "high": self.high,
            "sentiment": dict(self.sentiment),
            "quotes": list(self.quotes),
        }


@dataclass(frozen=True)
class Assignment:
    """Which themes one answer belongs to; empty when the answer has no substantive content."""

    id: str  # answer id
    themes: tuple[str, ...]  # theme ids, primary first (may be empty)
    primary: str | None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types only."""
        return {"id": self.id, "themes": list(self.themes), "primary": self.primary}


@dataclass(frozen=True)
class ThemeResult:
    """Themes of one question's answers, with one assignment per input answer in input order."""

    themes: tuple[Theme, ...]
    assignments: tuple[Assignment, ...]
    method: str  # which ran: "tfidf-nmf" or "embeddings-kmeans"
    k: int
    # Answers (counting duplicates) that say nothing ("No", "N/A"), and those that say
    # something no theme covers: the "Other" group.
    no_comment: int = 0
    other: int = 0
    # Up to 3 answer ids to quote for each of those groups: for "Other" the most typical and
    # diverse answers, for no substantive comment the commonest distinct non-answers.
    other_quotes: tuple[str, ...] = ()
    no_comment_quotes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The stored shape, {"themes": [...], "assignments": [...], ...}, in plain JSON types."""
        return {
            "themes": [theme.to_json() for theme in self.themes],
            "assignments": [assignment.to_json() for assignment in self.assignments],
            "no_comment": self.no_comment,
            "other": self.other,
            "other_quotes": list(self.other_quotes),
            "no_comment_quotes": list(self.no_comment_quotes),
        }
