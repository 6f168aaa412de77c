"""The optional sentence-embedding method, run with the real model (the `embeddings` extra)."""

from __future__ import annotations

import sys
from collections import Counter

import numpy as np
import pytest

from analysis import embeddings, onnx_embeddings
from analysis.errors import AnalysisError, EmbeddingsUnavailable
from analysis.themes import find_themes
from analysis.types import ThemeParams
from tests.analysis.corpora import QUESTION, planted_answers

PLANTED = planted_answers()
ANSWERS = [(answer_id, text) for answer_id, text, _ in PLANTED] + [("blank", "N/A")]


@pytest.fixture(scope="module")
def results(embedding_model_path: str) -> dict[str, object]:
    """Both methods on the planted corpus (the model is loaded once for the module)."""
    return {
        method: find_themes(
            ANSWERS,
            ThemeParams(
                question_text=QUESTION, method=method, embedding_model=embedding_model_path
            ),
        )
        for method in ("tfidf", "embeddings")
    }


def test_same_outputs_as_the_tfidf_method(results):
    tfidf, embedded = results["tfidf"], results["embeddings"]
    assert embedded.method == "embeddings-kmeans"
    assert tfidf.method == "tfidf-nmf"
    assert set(embedded.to_json()) == set(tfidf.to_json())
    assert set(embedded.themes[0].to_json()) == set(tfidf.themes[0].to_json())
    assert [a.id for a in embedded.assignments] == [answer_id for answer_id, _ in ANSWERS]
    # No-comment answers are decided before either method runs.
    assert embedded.no_comment == tfidf.no_comment == 1
    assert embedded.assignments[-1].themes == ()
    for rank, theme in enumerate(embedded.themes, start=1):
        assert theme.id == f"t{rank}"
        assert 2 <= len(theme.label.split()) <= 4
        assert theme.terms
        assert 1 <= len(theme.quotes) <= 3
        assert theme.low <= theme.share <= theme.high
        assert theme.sentiment["label"]
    sizes = [theme.size for theme in embedded.themes]
    assert sizes == sorted(sizes, reverse=True)


def test_finds_the_planted_topics(results):
    result = results["embeddings"]
    topic_of = {answer_id: topic for answer_id, _, topic in PLANTED}
    purity = []
    for theme in result.themes:
        topics = Counter(
            topic_of[a.id] for a in result.assignments if a.primary == theme.id and a.id in topic_of
        )
        purity.append(topics.most_common(1)[0][1] / sum(topics.values()))
    assert len(result.themes) == len({topic for _, _, topic in PLANTED})
    assert min(purity) >= 0.9


def test_given_number_of_themes(embedding_model_path):
    params = ThemeParams(k=3, seed=1, method="embeddings", embedding_model=embedding_model_path)
    assert find_themes(ANSWERS, params).k == 3


def test_the_automatic_number_of_themes_comes_from_the_words(
    results, embedding_model_path, monkeypatch
):
    # The embeddings decide which answers go together; how many themes there are is the words'
    # choice, the one the TF-IDF method makes on the same answers.
    from analysis import merging, semantic

    assert results["embeddings"].k == results["tfidf"].k

    def two_themes(x, doc_counts, *, seed):
        return merging.choose_initial_themes(x, doc_counts, seed=seed)[:2]

    monkeypatch.setattr(semantic, "choose_initial_themes", two_themes)
    params = ThemeParams(
        question_text=QUESTION, method="embeddings", seed=0, embedding_model=embedding_model_path
    )
    result = find_themes(ANSWERS, params)
    assert result.k == 2
    assert sum(theme.size for theme in result.themes) >= len(PLANTED) - 2


def test_reads_the_model_folder_from_the_environment(embedding_model):
    vectors = embeddings.embed(["More buses please", "more buses please", "Fix the potholes"])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_an_unset_model_folder_means_the_model_shipped_with_engage(monkeypatch):
    monkeypatch.delenv("ENGAGE_EMBEDDING_MODEL", raising=False)
    assert embeddings.model_path() is None
    shipped = embeddings.embed(["More buses please", "Fix the potholes"])
    np.testing.assert_array_equal(
        shipped, onnx_embeddings.encode(["More buses please", "Fix the potholes"])
    )
    result = find_themes(ANSWERS, ThemeParams(question_text=QUESTION))
    assert result.method == "embeddings-kmeans"


def test_a_folder_holding_an_onnx_model_is_run_by_onnx_runtime(tmp_path, monkeypatch):
    for name in (onnx_embeddings.MODEL_FILE, onnx_embeddings.TOKENIZER_FILE):
        (tmp_path / name).symlink_to(onnx_embeddings.MODEL_FOLDER / name)
    monkeypatch.setenv("ENGAGE_EMBEDDING_MODEL", str(tmp_path))
    key, _ = embeddings.encoder()
    assert key.startswith("onnx:")
    np.testing.assert_array_equal(
        embeddings.embed(["Fix the potholes"]), onnx_embeddings.encode(["Fix the potholes"])
    )


def test_a_missing_folder_is_explained(tmp_path):
    params = ThemeParams(method="embeddings", embedding_model=str(tmp_path / "nowhere"))
    with pytest.raises(EmbeddingsUnavailable, match="does not exist"):
        find_themes(ANSWERS, params)


def test_a_folder_without_a_model_is_explained(tmp_path):
    params = ThemeParams(method="embeddings", embedding_model=str(tmp_path))
    with pytest.raises(EmbeddingsUnavailable, match="holds no sentence-embedding model"):
        find_themes(ANSWERS, params)


def test_a_broken_model_folder_is_explained(tmp_path):
    (tmp_path / "config.json").write_text("{not json", encoding="utf-8")
    params = ThemeParams(method="embeddings", embedding_model=str(tmp_path))
    with pytest.raises(EmbeddingsUnavailable, match="could not be loaded"):
        find_themes(ANSWERS, params)


def test_the_missing_extra_is_explained(tmp_path, monkeypatch):
    (tmp_path / "modules.json").write_text("[]", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import fails
    params = ThemeParams(method="embeddings", embedding_model=str(tmp_path))
    with pytest.raises(EmbeddingsUnavailable, match=r"pip install 'engage\[embeddings\]'"):
        find_themes(ANSWERS, params)


def test_an_unknown_method_is_refused():
    with pytest.raises(AnalysisError, match="Unknown analysis method 'lda'"):
        ThemeParams(method="lda")
