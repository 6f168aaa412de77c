"""Word clouds: weights in surface words without filler, and a real, repeatable PNG."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from analysis.errors import NotEnoughText
from analysis.types import ThemeParams
from analysis.wordcloud import render_word_cloud, term_weights
from tests.analysis.corpora import QUESTION, planted_answers

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _texts() -> list[str]:
    return [text for _, text, _ in planted_answers()]


def test_term_weights_are_surface_words_without_filler() -> None:
    weights = term_weights(_texts(), ThemeParams(question_text=QUESTION), top=40)
    assert 0 < len(weights) <= 40
    assert max(weights.values()) == 1.0
    assert all(0 < weight <= 1 for weight in weights.values())
    assert "potholes" in weights
    assert "street lights" in weights  # a set phrase, kept whole
    for hidden in ("think", "honestly", "really", "the", "n/a", "area", "local", "thanks"):
        assert hidden not in {word.lower() for word in weights}
    assert not any(word in {"pothol", "servic", "appoint"} for word in weights)


def test_term_weights_respects_question_words_and_top() -> None:
    weights = term_weights(_texts(), ThemeParams(question_text="Tell us about potholes"), top=5)
    assert len(weights) == 5
    assert "potholes" not in weights
    assert term_weights(["N/A", "", "No"]) == {}


def test_png_is_valid_and_repeatable() -> None:
    weights = term_weights(_texts(), top=50)
    png = render_word_cloud(weights, width=400, height=200, seed=3)
    assert png.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        assert image.size == (400, 200)
        assert image.format == "PNG"
    assert render_word_cloud(weights, width=400, height=200, seed=3) == png


def test_png_default_size() -> None:
    png = render_word_cloud({"buses": 1.0, "potholes": 0.5, "GP appointments": 0.25})
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (800, 400)


def test_empty_weights_are_refused() -> None:
    with pytest.raises(NotEnoughText):
        render_word_cloud({})
    with pytest.raises(NotEnoughText):
        render_word_cloud({"buses": 0.0})
