"""Sentence embeddings from a local model: the packaged ONNX copy by default, PyTorch on request.

By default answers are embedded with the all-MiniLM-L6-v2 copy that ships inside Engage
(analysis/models/minilm, int8 ONNX, run by `analysis.onnx_embeddings` on ONNX Runtime): every
install has it and nothing is downloaded, which councils without internet access need.
ENGAGE_EMBEDDING_MODEL (or `configured`) may name another local folder instead: one holding
`model.onnx` and `tokenizer.json` is run the same way; a sentence-transformers folder is run by
sentence-transformers and PyTorch, the optional `embeddings` extra (the reference the ONNX copy is
checked against). A model is never fetched from a model hub.

Loaded models are kept for the life of the process, and the embeddings of recent texts too, so a
worker analysing one question after another, or codebook mode passing its leftovers to
`find_themes`, embeds each text once.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from analysis import onnx_embeddings
from analysis.errors import EmbeddingsUnavailable

MODEL_SETTING = "ENGAGE_EMBEDDING_MODEL"
INSTALL_HINT = "pip install 'engage[embeddings]'"
# Texts embedded per call to a sentence-transformers model.
BATCH_SIZE = 64
# Embeddings kept per process (384 floats each: about 30 MB).
CACHE_SIZE = 20_000
# Files that mark a folder as a sentence-transformers model (or a plain transformers one).
_MODEL_MARKERS = ("modules.json", "config_sentence_transformers.json", "config.json")

_lock = threading.Lock()
_models: dict[str, Any] = {}
_cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()


def model_path(configured: str | None = None) -> Path | None:
    """The model folder `configured` or ENGAGE_EMBEDDING_MODEL names; None for the packaged one.

    Raises EmbeddingsUnavailable (an AnalysisError), worded for the person running the analysis,
    when the folder named does not exist or holds no model.
    """
    value = configured if configured else os.environ.get(MODEL_SETTING, "")
    if not value.strip():
        return None
    path = Path(value.strip()).expanduser()
    if not path.is_dir():
        raise EmbeddingsUnavailable(
            f"The sentence-embedding model folder {path} does not exist: check "
            "ENGAGE_EMBEDDING_MODEL (leave it unset for the model shipped with Engage), or use "
            "the TF-IDF method."
        )
    if _is_onnx(path):
        return path
    if not any((path / marker).is_file() for marker in _MODEL_MARKERS):
        raise EmbeddingsUnavailable(
            f"The folder {path} holds no sentence-embedding model (no model.onnx, modules.json "
            "or config.json): point ENGAGE_EMBEDDING_MODEL at the model's own folder, or leave "
            "it unset for the model shipped with Engage."
        )
    return path


def _is_onnx(path: Path) -> bool:
    return (path / onnx_embeddings.MODEL_FILE).is_file()


def _import_sentence_transformers() -> Any:
    # Loading from a local folder needs no network; make sure nothing tries, whatever the model.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import sentence_transformers
        from transformers.utils import logging as transformers_logging
    except ImportError:
        raise EmbeddingsUnavailable(
            "The sentence-embedding method needs the optional embeddings extra, which is not "
            f"installed: install it with `{INSTALL_HINT}`, or use the TF-IDF method."
        ) from None
    # transformers leaves this function unannotated: it takes no argument and returns None.
    disable_progress_bar: Callable[[], None] = transformers_logging.disable_progress_bar
    disable_progress_bar()  # no progress bars in worker logs
    return sentence_transformers


def load_model(path: Path) -> Any:
    """The SentenceTransformer in the folder `path`, loaded once per process, on the CPU."""
    key = str(path.resolve())
    with _lock:
        model = _models.get(key)
        if model is not None:
            return model
        library = _import_sentence_transformers()
        try:
            model = library.SentenceTransformer(key, device="cpu", local_files_only=True)
        except (OSError, ValueError, RuntimeError, KeyError) as error:
            raise EmbeddingsUnavailable(
                f"The sentence-embedding model in {path} could not be loaded ({error}); check "
                "that ENGAGE_EMBEDDING_MODEL names a complete model folder."
            ) from None
        _models[key] = model
        return model


def encoder(configured: str | None = None) -> tuple[str, Callable[[list[str]], np.ndarray]]:
    """(cache key, texts -> unit float32 rows) of the model that `configured` chooses, loaded."""
    path = model_path(configured)
    if path is None or _is_onnx(path):
        loaded = onnx_embeddings.load_encoder(path)
        return f"onnx:{path.resolve() if path else 'packaged'}", loaded.encode
    model = load_model(path)

    def encode(texts: list[str]) -> np.ndarray:
        return np.asarray(
            model.encode(
                texts,
                batch_size=BATCH_SIZE,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            ),
            dtype=np.float32,
        )

    return f"torch:{path.resolve()}", encode


def embed(texts: Sequence[str], configured: str | None = None) -> npt.NDArray[np.float64]:
    """Unit-length embeddings, one row per text, in batches; repeated texts are embedded once."""
    key, encode = encoder(configured)
    if not texts:
        return np.zeros((0, 0))
    distinct = list(dict.fromkeys(texts))
    found: dict[str, np.ndarray] = {}
    with _lock:
        for text in distinct:
            vector = _cache.get((key, text))
            if vector is not None:
                _cache.move_to_end((key, text))
                found[text] = vector
    missing = [text for text in distinct if text not in found]
    if missing:
        vectors = encode(missing)
        with _lock:
            for text, vector in zip(missing, vectors, strict=True):
                found[text] = _cache[(key, text)] = vector
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return np.vstack([found[text] for text in texts]).astype(np.float64)
