"""What is stored for a question is built in analysis/ (the worker only saves it): found or
codebook themes, the word cloud without personal details, a cloud per theme, and a note
instead of themes when there are none."""

from __future__ import annotations

import pytest

from analysis.results import analyse_answers, codebook_result
from analysis.types import ThemeParams
from tests.worker.corpus import ANSWERS, BUSES, EMPTY, POTHOLES

PNG = b"\x89PNG"
PARAMS = ThemeParams(question_text="What would make the biggest difference?")


def numbered(texts: list[str]) -> list[tuple[str, str]]:
    return [(str(n), text) for n, text in enumerate(texts, start=1)]


def test_found_themes_come_with_their_word_clouds():
    answers = numbered([*ANSWERS, "Email me at jo.bloggs@example.org about the buses"])
    found = analyse_answers(answers, PARAMS)
    assert found.result is not None
    assert found.method == "embeddings-kmeans"  # the default method, with the shipped model
    theme_ids = {t["id"] for t in found.result["themes"]}
    assert len(theme_ids) >= 2
    assert found.word_cloud_png is not None
    assert found.word_cloud_png.startswith(PNG)
    assert "buses" in found.word_cloud_terms
    # The clouds are read by everyone: the email address is masked before they are drawn.
    assert not any("bloggs" in term or "example" in term for term in found.word_cloud_terms)
    assert set(found.theme_clouds) <= theme_ids
    assert found.theme_clouds
    assert all(png.startswith(PNG) for png in found.theme_clouds.values())


def test_answers_mapped_onto_a_codebook_keep_its_ids_and_order():
    answers = numbered(BUSES + POTHOLES + EMPTY)
    codebook = {
        "themes": [
            {"id": "roads", "label": "Roads and potholes", "examples": POTHOLES[:2]},
            {"id": "buses", "label": "Bus services", "examples": BUSES[:2]},
        ]
    }
    masked = [text for _, text in answers]
    result, method, note = codebook_result(answers, masked, codebook, PARAMS)
    assert note is None
    assert method
    codebook_themes = [t for t in result["themes"] if t["kind"] == "codebook"]
    assert [t["id"] for t in codebook_themes] == ["roads", "buses"]
    by_id = {t["id"]: t for t in codebook_themes}
    assert by_id["buses"]["size"] >= len(BUSES) - 2
    assert "potholes" in by_id["roads"]["terms"]
    tone = by_id["buses"]["sentiment"]  # as found themes have: shares of the theme's answers
    assert tone["positive"] + tone["negative"] + tone["neutral"] == pytest.approx(1, abs=0.01)
    assert tone["label"]
    assignments = {a["id"]: a for a in result["assignments"]}
    assert len(assignments) == len(answers)
    assert assignments["1"]["primary"] == "buses"
    # "n/a", "no"... fit nothing and propose nothing: counted as no comment, with quotes.
    assert result["no_comment"] >= 2
    assert len(result["no_comment_quotes"]) <= 3


def test_too_few_answers_give_a_note_not_themes():
    found = analyse_answers(numbered(["Buses"]), PARAMS)
    assert found.result is None
    assert found.note.startswith("Only 1 of 1 answers have enough words")
    assert found.theme_clouds == {}
