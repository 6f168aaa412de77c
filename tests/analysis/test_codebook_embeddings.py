"""Codebook mode with the embedding method: meaning blended with words, run with the real model."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from analysis.codebook import METHOD_MODEL, METHOD_SIMILARITY, map_to_codebook
from analysis.codebook_embeddings import METHOD_SUFFIX, Calibration
from tests.analysis.corpora import planted_answers
from tests.analysis.test_codebook import WORDS, _accuracy, _codebook, _pairs

# Each says what a codebook theme means in words the theme's label and description do not use.
PARAPHRASES = {
    "road": ("potholes", "My car's suspension was wrecked by a crater on Main Street"),
    "light": ("lighting", "Our lane is pitch black at night and I'm scared walking home"),
    "youth": ("youth", "Kids hang about on corners because they have nowhere to go"),
}
# Further paraphrases that only the examples' meaning places.
WITH_EXAMPLES = {
    "bus": ("buses", "Public transport here is hopeless, you wait an hour at the stop"),
    "bus2": ("buses", "The double-decker to town is always late or full"),
}
UNRELATED = [
    ("cat", "My cat likes to sleep in the sun"),
    ("cake", "I baked a lemon cake for my granddaughter's birthday"),
]


@pytest.fixture(scope="module")
def embedded(embedding_model_path: str):
    return replace(WORDS, method="embeddings", embedding_model=embedding_model_path)


def _answers(paraphrases: dict[str, tuple[str, str]]) -> list[tuple[str, str]]:
    own = [(key, text) for key, (_, text) in paraphrases.items()]
    return own + UNRELATED + _pairs(planted_answers())


def test_a_paraphrase_sharing_no_words_with_its_theme_is_mapped(embedded):
    answers = _answers(PARAPHRASES)
    words = {a.id: a for a in map_to_codebook(answers, _codebook(), WORDS).assignments}
    blended = map_to_codebook(answers, _codebook(), embedded)
    by_id = {a.id: a for a in blended.assignments}
    assert blended.method == METHOD_SIMILARITY + METHOD_SUFFIX
    for key, (theme, _) in PARAPHRASES.items():
        assert words[key].primary != theme  # words alone miss it (or take a stray word's theme)
        assert by_id[key].primary == theme


def test_examples_place_paraphrases_their_theme_text_does_not(embedded):
    paraphrases = {**PARAPHRASES, **WITH_EXAMPLES}
    result = map_to_codebook(_answers(paraphrases), _codebook(examples=3), embedded)
    assert result.method == METHOD_MODEL + METHOD_SUFFIX
    by_id = {a.id: a for a in result.assignments}
    for key, (theme, _) in paraphrases.items():
        if key == "bus2":
            # "The double-decker to town is always late or full" sits a sixth of the way from
            # the background to a typical fit, as close as GP answers sit to "Bus services":
            # below the bar meaning alone must clear (MEANING_FIT), so it may fit nothing, but
            # never another theme.
            assert by_id[key].themes in ((), (theme,))
            continue
        assert by_id[key].themes == (theme,)


def test_answers_about_something_else_still_fit_no_theme(embedded):
    result = map_to_codebook(_answers(PARAPHRASES), _codebook(), embedded)
    by_id = {a.id: a for a in result.assignments}
    for key, _ in UNRELATED:
        assert by_id[key].themes == ()
    assert result.unmatched >= len(UNRELATED)


def test_same_outputs_as_the_word_method_and_as_accurate(embedded):
    rows = planted_answers()
    words = map_to_codebook(_pairs(rows), _codebook(examples=3), WORDS)
    blended = map_to_codebook(_pairs(rows), _codebook(examples=3), embedded)
    assert set(blended.to_json()) == set(words.to_json())
    assert [a.id for a in blended.assignments] == [a.id for a in words.assignments]
    ids = {theme.id for theme in blended.themes}
    assert all(set(a.themes) <= ids for a in blended.assignments)
    assert _accuracy(blended, rows) >= 0.95
    for theme in blended.themes:
        assert theme.size == sum(theme.id in a.themes for a in blended.assignments)


def test_an_answer_raising_two_points_still_gets_both_themes(embedded):
    answers = [
        ("both", "The buses are always late. And the potholes on our road are dangerous."),
        ("contrast", "More youth clubs for teenagers, but fix the street lights first"),
    ] + _pairs(planted_answers())
    by_id = {a.id: a for a in map_to_codebook(answers, _codebook(), embedded).assignments}
    assert set(by_id["both"].themes) == {"buses", "potholes"}
    assert set(by_id["contrast"].themes) == {"youth", "lighting"}


def test_calibration_moves_background_and_typical_fit_onto_the_other_scale():
    cosines = np.array([[0.6, 0.3, 0.3], [0.3, 0.5, 0.3]])  # background 0.3, typical best 0.55
    words = np.array([[0.2, 0.0, 0.0], [0.0, 0.1, 0.0]])  # background 0.0, typical best 0.15
    mine, theirs = Calibration.of(cosines), Calibration.of(words)
    moved = mine.onto(theirs, np.array([0.3, 0.55, 0.8, 0.1]))
    assert moved == pytest.approx([0.0, 0.15, 0.30, 0.0])  # below background: nothing
    # With hardly any answers to measure, a typical fit is at least min_gap above background.
    assert Calibration.of(np.array([[0.31, 0.30]]), min_gap=0.1).typical_best == pytest.approx(
        0.405
    )
