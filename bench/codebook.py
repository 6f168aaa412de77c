"""Benchmark of codebook mode against three plain anchors, in the same run, on three data sets.

    python bench/codebook.py --sets synthetic disaster argkp --method tfidf embeddings

Each codebook is mapped by our engine (`analysis.codebook.map_to_codebook`, one row per
`--method`) and by the anchors of `bench.anchors` (TF-IDF + logistic regression, all-MiniLM +
logistic regression, all-MiniLM prototypes) on the same codebook and the same scored answers.

Sets (`--sets`):

- synthetic: the i.AI ThemeFinder synthetic data. generation/eval_sentiments.csv (1,000 answers,
  12 themes): each gold theme's name and rationale plus `--examples` answers per theme drawn from
  the data, listed under the theme drawn for, or under all their codes; the examples are left out
  of the scoring; median over `--draws` draws; and with no examples at all. gambling_XS
  (2 questions x 100 answers): the gold themes' labels and descriptions only.
- disaster: disaster-response-messages. The codebook is the 28 themes' labels and descriptions
  (themes.csv) plus 10 examples per theme drawn (seeded) from the validation split, each listed
  under all its gold codes (so common themes get more than 10); scored on the whole test split
  (2,385 messages, about 45% with no theme); median over `--draws` draws.
- argkp: ArgKP-2021, one codebook per question (31 topics, 3-14 key points; the key point is the
  label, with no description; the topic is the question text). Two settings: labels only (every
  argument of the topic scored), and 5 examples per key point drawn from the topic's arguments
  (fewer when a key point has fewer; each listed under all its gold codes; held out from the
  scoring). Mean over topics of each figure (one seeded draw per topic and `--argkp-draws`).
  Caveat from its SOURCE.md: gold is the "strict" reading, and each argument was judged only
  against the key points of its own stance, while the codebook holds both stances' key points.

Figures per setting and method:

- F1 all: sample-averaged F1 over all scored answers, where an answer with no gold theme scores 1
  when given none and 0 when given any (`f1_score(average="samples", zero_division=1)`).
- F1 gold: sample-averaged F1 over the answers that have at least one gold theme.
- themes/answer: mean number of codebook themes given per answer, beside the gold mean.
- seconds: wall time of one codebook's mapping (the engine's includes proposing new themes for
  the answers that fit none, as officers get them). Our embedding method is timed with its model
  loaded but no text embedded beforehand; the anchors' time includes what embedding their texts
  cost, although each text is embedded only once per run (see `bench.anchors`).

Targets (issue 23): on every setting both F1 figures at least the best anchor's + 0.05.

The data is read from ../shared/data beside the project (ENGAGE_BENCH_DATA overrides it); nothing
from it is stored here. The embedding method needs the `embeddings` extra; its model is
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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sklearn.metrics import f1_score
from sklearn.preprocessing import MultiLabelBinarizer

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analysis.codebook import map_to_codebook  # noqa: E402
from analysis.codebook_file import Codebook, CodebookError, CodebookTheme  # noqa: E402
from analysis.types import METHODS, ThemeParams  # noqa: E402
from bench.anchors import ANCHORS, Embedder, run_anchors  # noqa: E402

SHARED = Path(os.environ.get("ENGAGE_BENCH_DATA", ROOT.parent / "shared" / "data"))
DATA = SHARED / "themefinder-synthetic"
DISASTER = SHARED / "disaster-response-messages"
ARGKP = SHARED / "argkp-2021"
SET_NAMES = ("synthetic", "disaster", "argkp")
SHORT_EXAMPLES = 2  # below analysis.codebook_scoring.MIN_EXAMPLES_FOR_MODEL
DISASTER_EXAMPLES = 10
ARGKP_EXAMPLES = 5
TARGET_MARGIN = 0.05

Row = tuple[str, str, list[str]]  # answer id, text, gold codes


# --- loaders ---------------------------------------------------------------------------------


def _labels(cell: str) -> list[str]:
    """Gold theme letters from a cell holding a numpy-printed list of {letter: topic or None}."""
    parsed = ast.literal_eval(re.sub(r"\}\s*\n\s*\{", "}, {", cell))
    return sorted({letter for item in parsed for letter, topic in item.items() if topic})


def load_generation() -> tuple[list[Row], list[dict[str, str]], str]:
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


def load_xs() -> Iterator[tuple[int, str, list[Row], list[dict[str, str]]]]:
    """Per gambling_XS question part: number, question text, answers with gold, themes."""
    folder = DATA / "gambling_XS"
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
        themes = [
            {"id": t["topic_id"], "label": t["topic_label"], "description": t["topic_description"]}
            for t in json.loads((outputs / "themes.json").read_text(encoding="utf-8"))
        ]
        rows = [
            (str(a["response_id"]), a["response"], list(gold.get(str(a["response_id"]), [])))
            for a in answers
        ]
        yield part, question["question_text"], rows, themes


def load_disaster() -> tuple[list[Row], list[Row], list[dict[str, str]]]:
    """Validation rows (the pool of examples), test rows (scored) and the 28 themes."""
    with (DISASTER / "metadata.csv").open(encoding="utf-8", newline="") as handle:
        split = {row["id"]: row["split"] for row in csv.DictReader(handle)}
    validation: list[Row] = []
    test: list[Row] = []
    with (DISASTER / "data.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            item = (row["id"], row["text"], [c for c in row["themes"].split("|") if c])
            {"validation": validation, "test": test}[split[row["id"]]].append(item)
    with (DISASTER / "themes.csv").open(encoding="utf-8", newline="") as handle:
        themes = [
            {"id": row["theme"], "label": row["label"], "description": row["description"]}
            for row in csv.DictReader(handle)
        ]
    return validation, test, themes


def load_argkp() -> dict[str, tuple[list[Row], list[dict[str, str]]]]:
    """Per topic (the question): its arguments with gold key points, and its key points."""
    out: dict[str, tuple[list[Row], list[dict[str, str]]]] = {}
    with (ARGKP / "codebooks.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            out.setdefault(row["topic"], ([], []))[1].append(
                {"id": row["key_point_id"], "label": row["key_point"].strip()}
            )
    with (ARGKP / "data.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            codes = [c for c in row["themes"].split("|") if c]
            out[row["topic"]][0].append((row["id"], row["text"], codes))
    return out


# --- cases: one codebook and the answers scored against it -----------------------------------


@dataclass(frozen=True)
class Case:
    question: str
    themes: list[dict[str, object]]  # id, label, description?, examples?
    scored: list[Row]


def draw_examples(
    rows: Sequence[Row],
    themes: Sequence[dict[str, str]],
    n: int,
    rng: random.Random,
    *,
    all_codes: bool,
    short: int = 0,
) -> tuple[list[dict[str, object]], set[int]]:
    """Themes with up to `n` example answers drawn per theme (in codebook order, each answer
    drawn once), and the indices of the rows drawn. The first `short` themes get only
    SHORT_EXAMPLES. A drawn answer is listed under the theme it was drawn for or, with
    `all_codes`, under every codebook theme it is coded with."""
    ids = {theme["id"] for theme in themes}
    held: set[int] = set()
    examples: dict[str, list[str]] = {theme["id"]: [] for theme in themes}
    for index, theme in enumerate(themes):
        pool = [i for i, row in enumerate(rows) if theme["id"] in row[2] and i not in held]
        want = min(n, SHORT_EXAMPLES) if index < short else n
        picked = rng.sample(pool, min(want, len(pool)))
        for i in picked:
            codes = [c for c in rows[i][2] if c in ids] if all_codes else [theme["id"]]
            for code in codes:
                examples[code].append(rows[i][1])
        held.update(picked)
    return [{**theme, "examples": examples[theme["id"]]} for theme in themes], held


@dataclass(frozen=True)
class Setting:
    """One table row: a set and a way of giving the codebook, over several cases."""

    name: str
    cases: Callable[[], list[Case]]
    aggregate: str  # "median" over draws or "mean" over topics


def synthetic_settings(examples: int, draws: int, short: int) -> list[Setting]:
    def generation(n: int, *, all_codes: bool, short: int = 0, seeds: int = draws) -> list[Case]:
        rows, themes, question = load_generation()
        cases = []
        for seed in range(seeds):
            rng = random.Random(seed)  # noqa: S311 - reproducible draws, not security
            with_examples, held = draw_examples(
                rows, themes, n, rng, all_codes=all_codes, short=short
            )
            scored = [row for i, row in enumerate(rows) if i not in held]
            cases.append(Case(question, with_examples, scored))
        return cases

    def xs(part: int) -> list[Case]:
        for number, question, rows, themes in load_xs():
            if number == part:
                return [Case(question, list(themes), rows)]
        raise ValueError(part)

    out = [
        Setting(
            f"eval_sentiments, {examples} ex/theme (under the theme drawn)",
            lambda: generation(examples, all_codes=False),
            "median",
        ),
        Setting(
            f"eval_sentiments, {examples} ex/theme under all their codes",
            lambda: generation(examples, all_codes=True),
            "median",
        ),
    ]
    if short:
        out.append(
            Setting(
                f"eval_sentiments, {examples} ex/theme, {SHORT_EXAMPLES} for {short} themes",
                lambda: generation(examples, all_codes=False, short=short),
                "median",
            )
        )
    out += [
        Setting(
            "eval_sentiments, labels + descriptions only",
            lambda: generation(0, all_codes=False, seeds=1),
            "median",
        ),
        Setting("gambling_XS q1, labels + descriptions only", lambda: xs(1), "median"),
        Setting("gambling_XS q2, labels + descriptions only", lambda: xs(2), "median"),
    ]
    return out


def disaster_settings(draws: int) -> list[Setting]:
    def cases() -> list[Case]:
        validation, test, themes = load_disaster()
        out = []
        for seed in range(draws):
            rng = random.Random(seed)  # noqa: S311 - reproducible draws, not security
            with_examples, _ = draw_examples(
                validation, themes, DISASTER_EXAMPLES, rng, all_codes=True
            )
            out.append(Case("", with_examples, test))
        return out

    return [
        Setting(
            f"disaster test, {DISASTER_EXAMPLES} ex/theme from validation (all codes)",
            cases,
            "median",
        )
    ]


def argkp_settings(draws: int) -> list[Setting]:
    def labels_only() -> list[Case]:
        return [Case(topic, list(kps), rows) for topic, (rows, kps) in load_argkp().items()]

    def with_examples() -> list[Case]:
        out = []
        for topic, (rows, kps) in load_argkp().items():
            for seed in range(draws):
                rng = random.Random(f"{seed}:{topic}")  # noqa: S311 - reproducible draws
                themes, held = draw_examples(rows, kps, ARGKP_EXAMPLES, rng, all_codes=True)
                scored = [row for i, row in enumerate(rows) if i not in held]
                out.append(Case(topic, themes, scored))
        return out

    return [
        Setting("argkp, labels only (31 topics)", labels_only, "mean"),
        Setting(f"argkp, {ARGKP_EXAMPLES} ex/key point (31 topics)", with_examples, "mean"),
    ]


# --- scoring ---------------------------------------------------------------------------------


def sample_f1(gold: list[list[str]], predicted: list[list[str]], ids: list[str]) -> float:
    """The earlier figure (`zero_division=0`: an answer with no gold theme always scores 0);
    bench/embeddings.py still reports it."""
    binariser = MultiLabelBinarizer(classes=ids)
    truth = binariser.fit_transform(gold)
    guess = binariser.transform([[t for t in row if t in ids] for row in predicted])
    return float(f1_score(truth, guess, average="samples", zero_division=0))


@dataclass(frozen=True)
class Figures:
    f1_all: float
    f1_gold: float
    per_answer: float
    gold_per_answer: float
    seconds: float
    answers: int
    refused: int = 0  # 1 when the engine refused the codebook (scored as giving no theme)

    @classmethod
    def of(
        cls,
        gold: list[list[str]],
        predicted: list[list[str]],
        ids: list[str],
        seconds: float,
        refused: int = 0,
    ) -> Figures:
        binariser = MultiLabelBinarizer(classes=ids)
        truth = binariser.fit_transform(gold)
        guess = binariser.transform([[t for t in row if t in ids] for row in predicted])
        has_gold = truth.sum(axis=1) > 0
        f1_all = f1_score(truth, guess, average="samples", zero_division=1)
        f1_gold = (
            f1_score(truth[has_gold], guess[has_gold], average="samples", zero_division=1)
            if has_gold.any()
            else float("nan")
        )
        return cls(
            f1_all=float(f1_all),
            f1_gold=float(f1_gold),
            per_answer=float(guess.sum(axis=1).mean()),
            gold_per_answer=float(truth.sum(axis=1).mean()),
            seconds=seconds,
            answers=len(gold),
            refused=refused,
        )


FIELDS = ("f1_all", "f1_gold", "per_answer", "gold_per_answer", "seconds", "answers")


def combine(figures: list[Figures], how: str) -> Figures:
    """Median or mean of each figure over the cases; `refused` is the number of cases."""
    pick = statistics.median if how == "median" else statistics.fmean
    values = [float(pick([getattr(f, name) for f in figures])) for name in FIELDS]
    return Figures(*values, refused=sum(f.refused for f in figures))


def forget_engine_embeddings() -> None:
    """Forget texts the engine embedded for an earlier case, so each case is timed as a fresh
    consultation would be (the model itself stays loaded)."""
    from analysis import embeddings

    cache = getattr(embeddings, "_cache", None)
    if hasattr(cache, "clear"):
        cache.clear()


def run_ours(case: Case, method: str) -> Figures:
    if method == "embeddings":
        forget_engine_embeddings()
    codebook = Codebook.from_json({"themes": case.themes})
    ids = [str(theme["id"]) for theme in case.themes]
    gold = [row[2] for row in case.scored]
    started = time.perf_counter()
    try:
        result = map_to_codebook(
            [(rid, text) for rid, text, _ in case.scored],
            codebook,
            ThemeParams(question_text=case.question, method=method),
        )
    except CodebookError as error:  # an officer would get no mapping at all: no theme
        print(f"  engine refused a codebook ({method}): {error}", file=sys.stderr, flush=True)
        return Figures.of(gold, [[] for _ in gold], ids, time.perf_counter() - started, 1)
    seconds = time.perf_counter() - started
    by_id = {a.id: list(a.themes) for a in result.assignments}
    predicted = [by_id[str(rid)] for rid, _, _ in case.scored]
    return Figures.of(gold, predicted, ids, seconds)


def run_case_anchors(case: Case, embedder: Embedder) -> dict[str, Figures]:
    themes = [
        CodebookTheme(
            id=str(t["id"]),
            label=str(t["label"]),
            description=str(t.get("description") or ""),
            examples=tuple(str(e) for e in t.get("examples") or ()),
        )
        for t in case.themes
    ]
    ids = [t.id for t in themes]
    gold = [row[2] for row in case.scored]
    results = run_anchors(themes, [row[1] for row in case.scored], embedder)
    return {
        name: Figures.of(gold, [[ids[j] for j in p] for p in r.predicted], ids, r.seconds)
        for name, r in results.items()
    }


def warm_up(methods: Sequence[str]) -> None:
    """Load the engine's embedding model before any timing, through the public API."""
    if "embeddings" in methods:
        codebook = Codebook.from_json({"themes": [{"id": "a", "label": "Warm up the model"}]})
        map_to_codebook([("1", "loading the model")], codebook, ThemeParams(method="embeddings"))


@dataclass
class SettingResult:
    name: str
    cases: int
    by_method: dict[str, Figures] = field(default_factory=dict)
    per_case: dict[str, list[Figures]] = field(default_factory=dict)


def evaluate(setting: Setting, methods: Sequence[str], embedder: Embedder) -> SettingResult:
    cases = setting.cases()
    per_case: dict[str, list[Figures]] = {}
    for number, case in enumerate(cases, start=1):
        for method in methods:
            per_case.setdefault(f"ours_{method}", []).append(run_ours(case, method))
        for name, figures in run_case_anchors(case, embedder).items():
            per_case.setdefault(name, []).append(figures)
        if len(cases) > 3 and number % 10 == 0:
            print(f"  {setting.name}: {number}/{len(cases)}", file=sys.stderr, flush=True)
    print(f"  {setting.name} done", file=sys.stderr, flush=True)
    return SettingResult(
        setting.name,
        len(cases),
        {name: combine(figs, setting.aggregate) for name, figs in per_case.items()},
        per_case,
    )


# --- report ----------------------------------------------------------------------------------


def table(results: list[SettingResult]) -> str:
    lines = [
        "| setting | codebooks | answers | method | F1 all | F1 gold | themes/answer "
        "(gold) | seconds | refused |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        for name, f in result.by_method.items():
            lines.append(
                f"| {result.name} | {result.cases} | {f.answers:,.0f} | {name} | "
                f"{f.f1_all:.3f} | {f.f1_gold:.3f} | {f.per_answer:.2f} "
                f"({f.gold_per_answer:.2f}) | {f.seconds:.2f} | {f.refused} |"
            )
    return "\n".join(lines)


def targets(results: list[SettingResult], methods: Sequence[str]) -> str:
    lines = [
        "| setting | method | F1 all - best anchor | F1 gold - best anchor | target met |",
        "|---|---|---|---|---|",
    ]
    for result in results:
        anchors = [result.by_method[name] for name in ANCHORS]
        best_all = max(f.f1_all for f in anchors)
        best_gold = max(f.f1_gold for f in anchors)
        for method in methods:
            ours = result.by_method[f"ours_{method}"]
            gap_all, gap_gold = ours.f1_all - best_all, ours.f1_gold - best_gold
            met = gap_all >= TARGET_MARGIN and gap_gold >= TARGET_MARGIN
            lines.append(
                f"| {result.name} | {method} | {gap_all:+.3f} (best {best_all:.3f}) | "
                f"{gap_gold:+.3f} (best {best_gold:.3f}) | {'yes' if met else 'no'} |"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=SET_NAMES, default=["synthetic"])
    parser.add_argument(
        "--method",
        nargs="+",
        choices=METHODS,
        default=["tfidf"],
        help="how our engine scores answers (one or more; anchors run once)",
    )
    parser.add_argument("--examples", type=int, default=10, help="eval_sentiments ex/theme")
    parser.add_argument("--draws", type=int, default=3, help="draws (synthetic, disaster)")
    parser.add_argument("--argkp-draws", type=int, default=1, help="draws per argkp topic")
    parser.add_argument(
        "--short",
        type=int,
        default=0,
        help=f"also eval_sentiments with this many themes given only {SHORT_EXAMPLES} examples",
    )
    parser.add_argument("--no-anchors", action="store_true", help="our engine only")
    parser.add_argument("--output", type=Path, help="also write the markdown tables here")
    parser.add_argument("--json", type=Path, help="also write every case's figures here")
    args = parser.parse_args(argv)
    methods = list(dict.fromkeys(args.method))

    settings: list[Setting] = []
    if "synthetic" in args.sets:
        settings += synthetic_settings(args.examples, args.draws, args.short)
    if "disaster" in args.sets:
        settings += disaster_settings(args.draws)
    if "argkp" in args.sets:
        settings += argkp_settings(args.argkp_draws)

    started = time.perf_counter()
    warm_up(methods)
    embedder = Embedder.reference()
    results = []
    for setting in settings:
        if args.no_anchors:
            result = evaluate_ours_only(setting, methods)
        else:
            result = evaluate(setting, methods, embedder)
        results.append(result)
        print(table([result]).split("\n", 2)[2], flush=True)  # as it goes: a crash loses less
    total = time.perf_counter() - started

    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = "python bench/codebook.py " + " ".join(sys.argv[1:] if argv is None else argv)
    text = (
        f"`{command}` ({stamp}; median over draws, mean over argkp topics; "
        f"whole run {total / 60:.1f} min)\n\n{table(results)}"
    )
    if not args.no_anchors:
        text += f"\n\nTarget: both F1s >= best anchor + {TARGET_MARGIN}\n\n"
        text += targets(results, methods)
    print(text)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    r.name: {m: [f.__dict__ for f in figs] for m, figs in r.per_case.items()}
                    for r in results
                },
                indent=1,
            ),
            encoding="utf-8",
        )
    return 0


def evaluate_ours_only(setting: Setting, methods: Sequence[str]) -> SettingResult:
    cases = setting.cases()
    per_case = {f"ours_{m}": [run_ours(case, m) for case in cases] for m in methods}
    return SettingResult(
        setting.name,
        len(cases),
        {name: combine(figs, setting.aggregate) for name, figs in per_case.items()},
        per_case,
    )


if __name__ == "__main__":
    raise SystemExit(main())
