"""Sentence embeddings in the default install: all-MiniLM-L6-v2 run by ONNX Runtime, no PyTorch.

The `embeddings` extra brings PyTorch (754 MB) to run one small model. The same model exported to
ONNX and quantised to int8 weights (scripts/build_embedding_models.py) ships inside this package,
in analysis/models/minilm/, and ONNX Runtime runs it from that one file: nothing is downloaded,
which councils without internet access need, and the install grows by tens of MB, not a GB.

What sentence-transformers does around the network is done here in numpy, the same way: the
model's own tokenizer (`tokenizers`, from tokenizer.json) truncating at 256 tokens, mean pooling
of the last hidden state over the attention mask, and L2 normalisation. So `encode` returns
what `SentenceTransformer.encode(texts, normalize_embeddings=True)` does, float32, one unit row
per text; bench/embedding_runtime.py measures the agreement (mean cosine at least 0.99).

Each text is run through the network on its own. The shipped copy's int8 weights come with
dynamic quantisation of activations, whose scale is set per tensor: in a batch, a text's vector
moved with its neighbours (by up to 0.03 in one coordinate, cosine 0.984 at worst), so the same
answers embedded alongside different ones gave different themes. Alone, a text always gets the
same vector, and nothing is spent on padding. Speed comes from running ENGAGE_EMBEDDING_THREADS
texts at once (default 2, the worker's cores), each run on one thread: on 2,000 searchsnippets
texts on 2 cores that was 1,117 texts a second, against 885 for batches of 16 on two threads and
560 for single texts on two threads.

The model is loaded once per process and shared by threads (ONNX Runtime sessions and the
tokenizer may be called from several at once); nothing is imported until it is first needed.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from analysis.errors import EmbeddingsUnavailable

MODEL_FOLDER = Path(__file__).resolve().parent / "models" / "minilm"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
THREADS_SETTING = "ENGAGE_EMBEDDING_THREADS"
DEFAULT_THREADS = 2
# The model's sentence-transformers max_seq_length: longer answers are cut, as the reference does.
MAX_TOKENS = 256
# Texts tokenised per call to the tokenizer: its per-text objects are dropped after each call.
TOKENISE_CHUNK = 1_024
INSTALL_HINT = "pip install onnxruntime tokenizers"

_lock = threading.Lock()
_encoders: dict[tuple[str, int], Encoder] = {}


@dataclass(frozen=True)
class Encoder:
    """A loaded model: the ONNX Runtime session and the tokenizer that feeds it."""

    session: Any  # onnxruntime.InferenceSession (the package ships no type information)
    tokenizer: Any  # tokenizers.Tokenizer, with truncation at MAX_TOKENS and no padding
    input_names: frozenset[str]
    dimensions: int
    workers: int  # texts run at once, each on one thread

    def token_ids(self, texts: Sequence[str]) -> list[npt.NDArray[np.int64]]:
        """Each text's token ids ([CLS] ... [SEP]), truncated, without padding."""
        ids: list[npt.NDArray[np.int64]] = []
        for start in range(0, len(texts), TOKENISE_CHUNK):
            chunk = list(texts[start : start + TOKENISE_CHUNK])
            for encoding in self.tokenizer.encode_batch(chunk, add_special_tokens=True):
                ids.append(np.asarray(encoding.ids, dtype=np.int64))
        return ids

    def pooled(self, ids: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        """Mean of the last hidden state over one text's tokens."""
        input_ids = ids[None, :]
        feeds = {"input_ids": input_ids, "attention_mask": np.ones_like(input_ids)}
        if "token_type_ids" in self.input_names:
            feeds["token_type_ids"] = np.zeros_like(input_ids)  # one sentence: segment 0
        hidden = np.asarray(self.session.run(None, feeds)[0], dtype=np.float32)
        pooled: npt.NDArray[np.float32] = hidden[0].mean(axis=0)
        return pooled

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Unit-length embeddings, one float32 row per text, in the order given."""
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        if not texts:
            return out
        ids = self.token_ids(texts)
        if self.workers > 1 and len(ids) > 1:
            with ThreadPoolExecutor(self.workers) as pool:  # runs release the GIL
                rows = list(pool.map(self.pooled, ids))
        else:
            rows = [self.pooled(row) for row in ids]
        out[:] = np.vstack(rows)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        unit: npt.NDArray[np.float32] = out / np.clip(norms, 1e-12, None)
        return unit


def threads(configured: int | None = None) -> int:
    """Texts embedded at once: `configured`, else ENGAGE_EMBEDDING_THREADS, else 2."""
    if configured is not None:
        value = str(configured)
    else:
        value = os.environ.get(THREADS_SETTING, "").strip() or str(DEFAULT_THREADS)
    if not value.isdigit() or int(value) < 1:
        raise EmbeddingsUnavailable(
            f"{THREADS_SETTING} must be a whole number of threads, 1 or more (it is {value!r})."
        )
    return int(value)


def _import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        raise EmbeddingsUnavailable(
            f"The sentence-embedding method needs the {name} package, which is not installed: "
            f"install it with `{INSTALL_HINT}`, or use the TF-IDF method."
        ) from None


def _session(model: Path) -> Any:
    runtime = _import("onnxruntime")
    options = runtime.SessionOptions()
    options.intra_op_num_threads = 1  # texts run in parallel instead (Encoder.encode)
    options.inter_op_num_threads = 1
    options.execution_mode = runtime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = runtime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # errors only: no optimiser notes in worker logs
    # Idle threads sleep rather than spin between operators: the cores are shared with the web
    # app and other workers, and on 2 busy cores spinning cost 40% more CPU for less throughput.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return runtime.InferenceSession(
        str(model), sess_options=options, providers=["CPUExecutionProvider"]
    )


def _tokenizer(path: Path) -> Any:
    library = _import("tokenizers")
    tokenizer = library.Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.no_padding()  # each batch is padded to its own longest text, in Encoder.pooled
    return tokenizer


def load_encoder(folder: Path | None = None, thread_count: int | None = None) -> Encoder:
    """The model in `folder` (default: the one shipped here), loaded once per process."""
    where = (folder or MODEL_FOLDER).resolve()
    count = threads(thread_count)
    key = (str(where), count)
    with _lock:
        encoder = _encoders.get(key)
        if encoder is not None:
            return encoder
        model, vocabulary = where / MODEL_FILE, where / TOKENIZER_FILE
        if not (model.is_file() and vocabulary.is_file()):
            raise EmbeddingsUnavailable(
                f"The sentence-embedding model is missing from {where} (it needs {MODEL_FILE} "
                f"and {TOKENIZER_FILE}): reinstall Engage, or use the TF-IDF method."
            )
        try:
            session = _session(model)
            tokenizer = _tokenizer(vocabulary)
        except EmbeddingsUnavailable:
            raise
        # onnxruntime's errors (InvalidProtobuf, NoSuchFile, Fail...) and the tokenizer's
        # derive from Exception alone; any of them means the shipped files are damaged.
        except Exception as error:
            raise EmbeddingsUnavailable(
                f"The sentence-embedding model in {where} could not be loaded ({error}): "
                "reinstall Engage, or use the TF-IDF method."
            ) from None
        encoder = Encoder(
            session=session,
            tokenizer=tokenizer,
            input_names=frozenset(item.name for item in session.get_inputs()),
            dimensions=int(session.get_outputs()[0].shape[-1]),
            workers=count,
        )
        _encoders[key] = encoder
        return encoder


def encode(
    texts: Sequence[str], folder: Path | None = None, thread_count: int | None = None
) -> npt.NDArray[np.float32]:
    """Unit-length float32 embeddings of `texts`, one row each, as the reference model gives."""
    return load_encoder(folder, thread_count).encode(texts)
