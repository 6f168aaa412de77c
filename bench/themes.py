"""Benchmark of the themes engine against the guide's baseline, in the same run.

    python bench/themes.py            # full: 4 sets x 3 seeds, scaling at 1k, 10k and 100k
    python bench/themes.py --quick    # a few minutes: 3,000 answers per set, one seed, 1k and 10k
    python bench/themes.py --synthetic  # best F1 per gold theme on themefinder-synthetic
    python bench/themes.py --held-out   # the same scores on sets no setting was tuned on
    python bench/themes.py --small 150 400 --seeds 5   # small consultations (issue 23)
    python bench/themes.py --scale-one 10000 --method embeddings   # one size, this process
    python bench/themes.py --scale 10000 100000   # each size in a fresh process, nothing else

For each short-text-clustering-8 set it runs the plain stem+bigram TF-IDF + NMF baseline at the gold
number of themes, and our engine (`analysis.themes.find_themes`) at the gold number and at the
number it chooses itself, and reports NMI, ARI and ACC (Hungarian matching) as the median of the
seeds, with the ratio ours/baseline. Answers the engine leaves out of every theme ("Other" or no
substantive comment) form one extra cluster, so leaving answers out is never free. Scaling runs
each size in a fresh process and reports wall time and the process's peak resident memory.
With --synthetic it instead scores the automatic themes against the multi-label gold themes of
the i.AI ThemeFinder synthetic consultations (a check that what helps the short-text sets also
helps consultation answers): per gold theme the best F1 over found themes, using every theme an
answer is assigned to, reported as the mean and the share of gold themes at 0.5 or more.
With --small N [N ...] it scores small consultations instead: for each size and seed, a subset
of N answers of each set drawn with that seed (the engine and the baseline are seeded with it
too), the baseline at the subset's gold number of themes, ours at the gold number and at the
number it chooses; it reports the mean over the seeds and the ratios of the means, ours/baseline,
beside the issue-23 targets (NMI at least 1.2x, ARI at least 1.5x). --method picks our engine's
method (tfidf or embeddings) for every mode, scaling included; the baseline never changes.
The data is read from ../shared/data beside the project; nothing from it is stored here.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere: the engine is the checkout's
    sys.path.insert(0, str(ROOT))

from analysis.themes import find_themes  # noqa: E402 - after the path fix above
from analysis.types import METHODS, ThemeParams  # noqa: E402
from bench.baseline import baseline_labels  # noqa: E402

DATA = Path(os.environ.get("ENGAGE_BENCH_DATA", ROOT.parent / "shared" / "data"))
STC = DATA / "short-text-clustering-8"
SETS = ("searchsnippets", "stackoverflow", "biomedical", "agnews_8000")
# Sets of the same collection that no setting was ever tuned on: news titles and snippets of 152
# stories and tweets on 89 topics, far more topics than the engine's 20-theme cap. They show
# whether a change generalises, and carry no target.
HELD_OUT = ("googlenews_ts", "googlenews_s", "googlenews_t", "tweet")
SEEDS = (0, 1, 2)
SYNTHETIC = DATA / "themefinder-synthetic"
SCALE_SIZES = (1_000, 10_000, 100_000)
QUICK_SIZE = 3_000
NMI_TARGET = 1.2  # issue 23, small consultations: ours/baseline, mean of the seeds
ARI_TARGET = 1.5


def load_set(name: str) -> tuple[list[str], np.ndarray]:
    """Texts and single gold labels of one `label<TAB>text` file."""
    texts: list[str] = []
    labels: list[str] = []
    with (STC / f"{name}.tsv").open(encoding="utf-8") as handle:
        for line in handle:
            label, _, text = line.rstrip("\n").partition("\t")
            if text:
                labels.append(label)
                texts.append(text)
    _, codes = np.unique(labels, return_inverse=True)
    return texts, codes


def accuracy(gold: np.ndarray, found: np.ndarray) -> float:
    """Share of answers in a cluster matched one-to-one (Hungarian) to their gold class."""
    _, g = np.unique(gold, return_inverse=True)
    _, f = np.unique(found, return_inverse=True)
    table = np.zeros((f.max() + 1, g.max() + 1), dtype=np.int64)
    np.add.at(table, (f, g), 1)
    rows, cols = linear_sum_assignment(-table)
    return float(table[rows, cols].sum() / gold.size)


def scores(gold: np.ndarray, found: np.ndarray) -> dict[str, float]:
    """NMI, ARI and ACC of one clustering against the gold labels."""
    return {
        "nmi": float(normalized_mutual_info_score(gold, found)),
        "ari": float(adjusted_rand_score(gold, found)),
        "acc": accuracy(gold, found),
    }


def engine_labels(
    texts: Sequence[str], k: int | None, seed: int, method: str = "tfidf"
) -> tuple[np.ndarray, int]:
    """Primary theme per answer (-1 for none) and the number of themes the engine returned."""
    if method == "embeddings":  # each run embeds its answers afresh, as a new question would
        from bench.codebook import forget_engine_embeddings

        forget_engine_embeddings()
    answers = [(str(i), text) for i, text in enumerate(texts)]
    result = find_themes(answers, ThemeParams(k=k, seed=seed, method=method))
    index = {theme.id: j for j, theme in enumerate(result.themes)}
    labels = np.array(
        [index.get(a.primary or "", -1) for a in result.assignments],
        dtype=np.int64,
    )
    return labels, result.k


@dataclass
class Runs:
    """Scores of one method on one set over several seeds."""

    by_seed: list[dict[str, float]] = field(default_factory=list)

    def add(self, gold: np.ndarray, found: np.ndarray, seconds: float, k: int) -> None:
        self.by_seed.append(scores(gold, found) | {"seconds": seconds, "k": float(k)})

    def median(self, key: str) -> float:
        return statistics.median(run[key] for run in self.by_seed)

    def mean(self, key: str) -> float:
        return statistics.fmean(run[key] for run in self.by_seed)

    def summary(self, how: str, key: str) -> float:
        return self.mean(key) if how == "mean" else self.median(key)


def timed(call: Callable[[], tuple[np.ndarray, int]]) -> tuple[np.ndarray, int, float]:
    started = time.perf_counter()
    labels, k = call()
    return labels, k, time.perf_counter() - started


def _subset(
    texts: list[str], gold: np.ndarray, n: int | None, seed: int
) -> tuple[list[str], np.ndarray]:
    """n answers drawn without replacement with `seed` (all of them when n is None or more)."""
    if n is None or n >= len(texts):
        return texts, gold
    keep = np.sort(np.random.default_rng(seed).choice(len(texts), n, replace=False))
    return [texts[i] for i in keep], gold[keep]


def _run_seed(
    runs: dict[str, Runs], texts: list[str], gold: np.ndarray, seed: int, method: str
) -> None:
    """Baseline at the gold k, ours at the gold k and at the automatic k, with one seed."""
    k_gold = int(np.unique(gold).size)
    found, k, seconds = timed(lambda: (baseline_labels(texts, k_gold, seed), k_gold))
    runs["baseline"].add(gold, found, seconds, k)
    found, k, seconds = timed(lambda: engine_labels(texts, k_gold, seed, method))
    runs["ours_gold_k"].add(gold, found, seconds, k)
    found, k, seconds = timed(lambda: engine_labels(texts, None, seed, method))
    runs["ours_auto_k"].add(gold, found, seconds, k)


def _new_runs() -> dict[str, Runs]:
    return {"baseline": Runs(), "ours_gold_k": Runs(), "ours_auto_k": Runs()}


def quality(
    name: str, seeds: Sequence[int], sample: int | None, method: str = "tfidf"
) -> dict[str, Runs]:
    """Baseline at gold k, ours at gold k and ours at the automatic k, on one set (one fixed
    subset of `sample` answers, drawn with seed 0, for every seed)."""
    texts, gold = _subset(*load_set(name), sample, 0)
    runs = _new_runs()
    for seed in seeds:
        _run_seed(runs, texts, gold, seed, method)
        print(f"  {name} seed {seed} done", file=sys.stderr, flush=True)
    return runs


def small(name: str, size: int, seeds: Sequence[int], method: str) -> dict[str, Runs]:
    """As `quality`, but each seed draws its own subset of `size` answers."""
    texts, gold = load_set(name)
    runs = _new_runs()
    for seed in seeds:
        _run_seed(runs, *_subset(texts, gold, size, seed), seed, method)
    print(f"  {name} at {size} answers done ({len(seeds)} seeds)", file=sys.stderr, flush=True)
    return runs


def synthetic_sets() -> dict[str, tuple[str, list[tuple[str, str]], dict[str, set[str]]]]:
    """Per consultation: the question, (id, answer) pairs and each gold theme's answer ids."""
    from bench.codebook import load_generation  # the codebook bench already parses the CSV

    rows, _, question = load_generation()
    gold: dict[str, set[str]] = {}
    for answer_id, _, codes in rows:
        for code in codes:
            gold.setdefault(code, set()).add(answer_id)
    out = {"eval_sentiments": (question, [(i, text) for i, text, _ in rows], gold)}
    xs = SYNTHETIC / "gambling_XS"
    for part in sorted((xs / "inputs").glob("question_part_*")):
        question = json.loads((part / "question.json").read_text(encoding="utf-8"))
        with (part / "responses.jsonl").open(encoding="utf-8") as handle:
            answers = [json.loads(line) for line in handle if line.strip()]
        mapping = next((xs / "outputs" / "mapping").glob(f"*/{part.name}/mapping.jsonl"))
        gold = {}
        with mapping.open(encoding="utf-8") as handle:
            for line in filter(str.strip, handle):
                row = json.loads(line)
                for code in row["labels"]:
                    gold.setdefault(code, set()).add(str(row["response_id"]))
        out[f"gambling_XS {part.name}"] = (
            question["question_text"],
            [(str(a["response_id"]), a["response"]) for a in answers],
            gold,
        )
    return out


def best_f1(gold: dict[str, set[str]], found: dict[str, set[str]]) -> list[float]:
    """Per gold theme, the best F1 of any found theme's answers against the gold theme's."""
    out = []
    for members in gold.values():
        best = 0.0
        for theirs in found.values():
            both = len(members & theirs)
            if both:
                best = max(best, 2 * both / (len(members) + len(theirs)))
        out.append(best)
    return out


def synthetic(seeds: Sequence[int], method: str = "tfidf") -> str:
    """Markdown table: mean best F1 per gold theme and share >= 0.5, medians over the seeds."""
    lines = [
        "| consultation | answers | gold themes | themes found | mean best F1 | share >= 0.5 |",
        "|---|---|---|---|---|---|",
    ]
    for name, (question, answers, gold) in synthetic_sets().items():
        runs = []
        for seed in seeds:
            result = find_themes(
                answers, ThemeParams(seed=seed, question_text=question, method=method)
            )
            found: dict[str, set[str]] = {theme.id: set() for theme in result.themes}
            for assignment in result.assignments:
                for theme_id in assignment.themes:
                    found[theme_id].add(assignment.id)
            f1 = best_f1(gold, found)
            runs.append((result.k, statistics.mean(f1), sum(v >= 0.5 for v in f1) / len(f1)))
        k, mean, share = (statistics.median(values) for values in zip(*runs, strict=True))
        lines.append(
            f"| {name} | {len(answers):,} | {len(gold)} | {k:.0f} | {mean:.3f} | {share:.2f} |"
        )
    return "\n".join(lines)


def scale_texts(n: int, seed: int = 0) -> list[str]:
    """n distinct answers: the pooled sets, then variants (one word dropped) of sampled ones.

    Variants are distinct texts, so de-duplication cannot make 100,000 answers cheaper than
    100,000 real ones would be.
    """
    pool: list[str] = []
    for path in sorted(STC.glob("*.tsv")):
        with path.open(encoding="utf-8") as handle:
            pool += [line.rstrip("\n").partition("\t")[2] for line in handle]
    pool = [text for text in dict.fromkeys(pool) if len(text.split()) >= 3]
    rng = np.random.default_rng(seed)
    rng.shuffle(pool)
    if n <= len(pool):
        return pool[:n]
    out = list(pool)
    while len(out) < n:
        words = pool[int(rng.integers(len(pool)))].split()
        del words[int(rng.integers(len(words)))]
        out.append(" ".join(words))
    return out


def scale_one(n: int, method: str = "tfidf") -> dict[str, float | str]:
    """Run the engine once on n answers in this process; wall time (loading the embedding
    model included) and the process's peak resident memory."""
    texts = scale_texts(n)
    answers = [(str(i), text) for i, text in enumerate(texts)]
    started = time.perf_counter()
    result = find_themes(answers, ThemeParams(seed=0, method=method))
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    return {"n": n, "method": method, "seconds": seconds, "peak_mb": peak_mb, "k": result.k}


def scale(sizes: Sequence[int], method: str) -> list[dict[str, float]]:
    """Each size in a fresh interpreter, so one size's memory never counts for another."""
    out = []
    for n in sizes:
        completed = subprocess.run(  # noqa: S603 - this script, with an integer argument
            [sys.executable, __file__, "--scale-one", str(n), "--method", method],
            capture_output=True,
            text=True,
            check=True,
        )
        out.append(json.loads(completed.stdout.strip().splitlines()[-1]))
        print(f"  scale {n} done", file=sys.stderr, flush=True)
    return out


def _f(value: float) -> str:
    return f"{value:.3f}"


def table(
    results: dict[str, dict[str, Runs]], scaling: list[dict[str, float]], how: str = "median"
) -> str:
    """The markdown tables pasted into docs/benchmarks.md (`how`: median or mean of seeds)."""
    lines = [
        "| set | method | k | NMI | ARI | ACC | NMI ratio | ARI ratio | seconds |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, runs in results.items():
        base = runs["baseline"]
        for method, run in runs.items():
            m = functools.partial(run.summary, how)
            ratio_nmi = m("nmi") / max(base.summary(how, "nmi"), 1e-9)
            ratio_ari = m("ari") / max(base.summary(how, "ari"), 1e-9)
            lines.append(
                f"| {name} | {method} | {m('k'):.1f} | {_f(m('nmi'))} | "
                f"{_f(m('ari'))} | {_f(m('acc'))} | {ratio_nmi:.2f} | "
                f"{ratio_ari:.2f} | {m('seconds'):.1f} |"
            )
    if not results:
        lines = []
    if scaling:
        lines += ["", "| answers | seconds | peak memory (MB) | themes |", "|---|---|---|---|"]
        for row in scaling:
            lines.append(
                f"| {row['n']:,} | {row['seconds']:.1f} | {row['peak_mb']:.0f} | {row['k']} |"
            )
    return "\n".join(lines)


def small_table(results: dict[tuple[str, int], dict[str, Runs]]) -> str:
    """Small consultations: means of the seeds, ratios of the means and the issue-23 targets."""
    lines = [
        "| set | answers | run | k | NMI | ARI | ACC | NMI ratio | ARI ratio | "
        f"NMI >= {NMI_TARGET}x | ARI >= {ARI_TARGET}x | seconds |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (name, size), runs in results.items():
        base = runs["baseline"]
        for label, run in runs.items():
            ratio_nmi = run.mean("nmi") / max(base.mean("nmi"), 1e-9)
            ratio_ari = run.mean("ari") / max(base.mean("ari"), 1e-9)
            met_nmi = met_ari = ""
            if label != "baseline":
                met_nmi = "yes" if ratio_nmi >= NMI_TARGET else "no"
                met_ari = "yes" if ratio_ari >= ARI_TARGET else "no"
            lines.append(
                f"| {name} | {size} | {label} | {run.mean('k'):.1f} | {_f(run.mean('nmi'))} | "
                f"{_f(run.mean('ari'))} | {_f(run.mean('acc'))} | {ratio_nmi:.2f} | "
                f"{ratio_ari:.2f} | {met_nmi} | {met_ari} | {run.mean('seconds'):.2f} |"
            )
    return "\n".join(lines)


def _per_seed(results: dict[str, dict[str, Runs]]) -> dict[str, dict[str, list]]:
    return {name: {k: r.by_seed for k, r in runs.items()} for name, runs in results.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3,000 answers per set, one seed")
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS + HELD_OUT)
    parser.add_argument(
        "--held-out", action="store_true", help="the held-out sets instead (implies --no-scale)"
    )
    parser.add_argument(
        "--seeds", type=int, help="how many seeds (default 3, 1 with --quick, 5 with --small)"
    )
    parser.add_argument("--method", choices=METHODS, default="tfidf", help="our engine's method")
    parser.add_argument(
        "--small",
        type=int,
        nargs="+",
        metavar="N",
        help="small consultations of N answers, a subset per seed (implies --no-scale)",
    )
    parser.add_argument("--no-scale", action="store_true", help="skip the scaling runs")
    parser.add_argument(
        "--scale", type=int, nargs="+", metavar="N", help="only the scaling runs, at these sizes"
    )
    parser.add_argument(
        "--scale-one",
        type=int,
        metavar="N",
        help="one scaling run of N answers in this process (prints JSON on its last line)",
    )
    parser.add_argument("--output", type=Path, help="also write the markdown table here")
    parser.add_argument("--json", type=Path, help="also write every seed's scores here")
    parser.add_argument("--synthetic", action="store_true", help="themefinder-synthetic best F1")
    args = parser.parse_args(argv)
    if args.scale_one:
        row = scale_one(args.scale_one, args.method)
        print(
            f"{row['n']:,} answers, {row['method']}: {row['seconds']:.1f} s, "
            f"peak {row['peak_mb']:.0f} MB, {row['k']} themes",
            file=sys.stderr,
        )
        print(json.dumps(row))
        return 0
    if args.synthetic:
        if not SYNTHETIC.is_dir():
            print(f"No synthetic data at {SYNTHETIC} (set ENGAGE_BENCH_DATA).", file=sys.stderr)
            return 2
        print(synthetic(tuple(range(args.seeds or len(SEEDS))), args.method))
        return 0
    if not STC.is_dir():
        print(f"No benchmark data at {STC} (set ENGAGE_BENCH_DATA).", file=sys.stderr)
        return 2
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = "python bench/themes.py " + " ".join(sys.argv[1:] if argv is None else argv)
    names = HELD_OUT if args.held_out else args.sets
    if args.scale:
        text = f"`{command}` ({stamp}, method {args.method})\n\n" + table(
            {}, scale(args.scale, args.method)
        )
        print(text)
        if args.output:
            args.output.write_text(text + "\n", encoding="utf-8")
        return 0
    if args.method == "embeddings":  # load the model before anything is timed
        from bench.codebook import warm_up

        warm_up([args.method])
    if args.small:
        seeds = tuple(range(args.seeds or 5))
        started = time.perf_counter()
        by_size = {
            (name, size): small(name, size, seeds, args.method)
            for size in args.small
            for name in names
        }
        minutes = (time.perf_counter() - started) / 60
        text = (
            f"`{command}` ({stamp}, method {args.method}, mean of {len(seeds)} seeds, "
            f"each its own subset; ratios are of the means; whole run {minutes:.1f} min)\n\n"
            + small_table(by_size)
        )
        print(text)
        if args.output:
            args.output.write_text(text + "\n", encoding="utf-8")
        if args.json:
            per_seed = _per_seed({f"{name} {size}": runs for (name, size), runs in by_size.items()})
            args.json.write_text(json.dumps(per_seed, indent=1), encoding="utf-8")
        return 0
    seeds = SEEDS[:1] if args.quick else SEEDS
    if args.seeds:
        seeds = tuple(range(args.seeds))
    sample = QUICK_SIZE if args.quick else None
    results = {name: quality(name, seeds, sample, args.method) for name in names}
    scaling = (
        []
        if args.no_scale or args.held_out
        else scale(SCALE_SIZES[:2] if args.quick else SCALE_SIZES, args.method)
    )
    mode = ("--quick" if args.quick else "full") + (" --held-out" if args.held_out else "")
    text = (
        f"`python bench/themes.py` ({mode}, method {args.method}, {stamp}, "
        f"median of {len(seeds)} seed(s))\n\n"
    )
    text += table(results, scaling)
    print(text)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(_per_seed(results), indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
