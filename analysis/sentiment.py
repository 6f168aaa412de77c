"""Sentiment of answers with VADER (the lexicon ships inside the vaderSentiment wheel).

Sentiment is tone, not stance: "I strongly oppose this, thank you for asking" reads positive.
Findings show it beside a theme and never use it to mean support or opposition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

# VADER's own cut-offs for calling a compound score positive or negative.
POSITIVE_FROM = 0.05
NEGATIVE_TO = -0.05


@cache
def _analyser() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def compound(text: str) -> float:
    """VADER's compound score, from -1 (most negative) to 1 (most positive)."""
    return float(_analyser().polarity_scores(text)["compound"])


@dataclass(frozen=True)
class Tone:
    mean: float  # mean compound score
    positive: float  # share of answers scoring positive
    negative: float
    neutral: float

    @property
    def label(self) -> str:
        if self.positive >= 0.6:
            return "mostly positive"
        if self.negative >= 0.6:
            return "mostly negative"
        if self.positive + self.negative >= 0.6 and min(self.positive, self.negative) >= 0.25:
            return "mixed"
        return "mostly neutral" if self.neutral >= 0.5 else "varied"

    def to_json(self) -> dict[str, Any]:
        return {
            "mean": round(self.mean, 3),
            "positive": round(self.positive, 3),
            "negative": round(self.negative, 3),
            "neutral": round(self.neutral, 3),
            "label": self.label,
        }


def tone(scores: Sequence[float], weights: Sequence[float]) -> Tone:
    """The tone of a group of answers from their compound scores (weights: how many gave each)."""
    total = float(sum(weights))
    if total <= 0:
        return Tone(0.0, 0.0, 0.0, 1.0)
    mean = sum(s * w for s, w in zip(scores, weights, strict=True)) / total
    positive = sum(w for s, w in zip(scores, weights, strict=True) if s >= POSITIVE_FROM) / total
    negative = sum(w for s, w in zip(scores, weights, strict=True) if s <= NEGATIVE_TO) / total
    return Tone(mean, positive, negative, max(0.0, 1.0 - positive - negative))
