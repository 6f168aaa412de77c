"""Label-free benchmark on real civic comments: the English Pol.is conversations.

    python bench/polis.py            # every English conversation
    python bench/polis.py --quick    # four small conversations, for a check in seconds

Pol.is comments have no theme labels, so this reports what can be judged without them, for our
engine (`analysis.themes.find_themes`, automatic number of themes, the conversation's topic as the
question) and for the guide's stem+bigram TF-IDF + NMF baseline at the same number of themes:

- NPMI coherence of each theme's top 10 words, by co-occurrence in the same answers, all tokenised
  and stemmed the engine's way with no stop words removed (so both sides are scored on one corpus);
  the engine's words are its shown key terms (phrases split into words), the baseline's the
  strongest features of its NMF components;
- topic diversity, unique top-10 words / (10 * k);
- coverage, the share of answers in some theme (not "Other" or no substantive comment);
- stability, the ARI of the primary themes of two seeds on all answers, and of two 80% subsamples
  (seed 0) on the answers they share; answers in no theme count as one group.

Comments moderated out (moderated = -1) are left out; the rest are what an officer would see.
The data is read from ../shared/data beside the project; nothing from it is stored here.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import statistics
import sys
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere: the engine is the checkout's
    sys.path.insert(0, str(ROOT))

from analysis.errors import NotEnoughText  # noqa: E402 - after the path fix above
from analysis.metrics import (  # noqa: E402
    TOP_N,
    coverage,
    npmi_coherence,
    stability,
    topic_diversity,
)
from analysis.preprocess import Stemmer, clean, words  # noqa: E402
from analysis.themes import find_themes  # noqa: E402
from analysis.types import METHODS, ThemeParams  # noqa: E402
from bench.baseline import _analyser, baseline_labels  # noqa: E402

DATA = Path(os.environ.get("ENGAGE_BENCH_DATA", ROOT.parent / "shared" / "data"))
POLIS = DATA / "polis-open-data"
QUICK = (
    "brexit-consensus",
    "canadian-electoral-reform",
    "scoop-hivemind.taxes",
    "bg2050-volunteers",
)
SUBSAMPLE = 0.8
# English function words; a conversation is English when they are this share of its words.
_ENGLISH = frozenset(
    ("the", "and", "to", "of", "is", "a", "in", "that", "it", "for", "we", "should", "be", "are")
    + ("not", "this", "on", "with", "have", "as", "they", "more")
)
ENGLISH_SHARE = 0.15

Labels = dict[str, str | None]


@dataclass(frozen=True)
class Conversation:
    """One Pol.is conversation's accepted comments and its topic (used as the question)."""

    name: str
    topic: str
    ids: tuple[str, ...]
    texts: tuple[str, ...]

    def answers(self, keep: Sequence[int] | None = None) -> list[tuple[str, str]]:
        rows = range(len(self.ids)) if keep is None else keep
        return [(self.ids[i], self.texts[i]) for i in rows]


def load(folder: Path) -> Conversation:
    """Comments not moderated out, and the topic from summary.csv."""
    with (folder / "summary.csv").open(encoding="utf-8", newline="") as handle:
        summary = {row[0]: row[1] for row in csv.reader(handle) if len(row) >= 2}
    ids: list[str] = []
    texts: list[str] = []
    with (folder / "comments.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            text = (row.get("comment-body") or "").strip()
            if text and row.get("moderated", "0").strip() != "-1":
                ids.append(row["comment-id"])
                texts.append(text)
    return Conversation(folder.name, summary.get("topic", ""), tuple(ids), tuple(texts))


def is_english(texts: Sequence[str]) -> bool:
    """Whether common English function words make up a fair share of the words."""
    tokens = [t.lower() for text in texts for clause in words(clean(text)) for t in clause if t]
    return bool(tokens) and sum(t in _ENGLISH for t in tokens) / len(tokens) >= ENGLISH_SHARE


def reference_docs(texts: Sequence[str], stemmer: Stemmer) -> list[set[str]]:
    """Each answer's stems, the engine's tokeniser and stemmer, keeping every word."""
    return [
        {stemmer(t.lower()) for clause in words(clean(text)) for t in clause if t} for text in texts
    ]


def top_stems(terms: Sequence[str], stemmer: Stemmer, n: int = TOP_N) -> list[str]:
    """The first `n` distinct stems of a theme's terms, phrases split into their words."""
    stems = [stemmer(w.lower()) for term in terms for clause in words(term) for w in clause if w]
    return list(dict.fromkeys(stems))[:n]


# Our engine's method for every run (--method); a list so main can set it.
METHOD = ["embeddings"]


@dataclass
class Run:
    """Primary theme per answer id (None = in no theme), top words per theme, k and seconds."""

    primary: Labels
    topics: list[list[str]]
    k: int
    seconds: float


def engine_run(
    conv: Conversation, seed: int, stemmer: Stemmer, keep: Sequence[int] | None = None
) -> Run:
    start = time.perf_counter()
    params = ThemeParams(seed=seed, question_text=conv.topic, method=METHOD[0])
    result = find_themes(conv.answers(keep), params)
    seconds = time.perf_counter() - start
    return Run(
        primary={a.id: a.primary for a in result.assignments},
        topics=[top_stems(theme.terms, stemmer) for theme in result.themes],
        k=result.k,
        seconds=seconds,
    )


def baseline_terms(texts: Sequence[str], k: int, seed: int) -> list[list[str]]:
    """Top words of the baseline's NMF components, refitted with baseline_labels' settings."""
    vectoriser = TfidfVectorizer(
        analyzer=_analyser(), sublinear_tf=True, min_df=2, max_df=0.5, dtype=np.float64
    )
    x = vectoriser.fit_transform(texts)
    features = vectoriser.get_feature_names_out()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        h = NMF(k, init="nndsvda", random_state=seed, max_iter=300).fit(x).components_
    topics: list[list[str]] = []
    for row in h:
        order = [j for j in np.argsort(-row, kind="stable") if row[j] > 0]
        stems = [part for j in order for part in str(features[j]).split()]
        topics.append(list(dict.fromkeys(stems))[:TOP_N])
    return topics


def baseline_run(
    conv: Conversation, k: int, seed: int, keep: Sequence[int] | None = None, terms: bool = False
) -> Run:
    rows = list(range(len(conv.ids))) if keep is None else list(keep)
    texts = [conv.texts[i] for i in rows]
    start = time.perf_counter()
    labels = baseline_labels(texts, k, seed)
    seconds = time.perf_counter() - start
    return Run(
        primary={
            conv.ids[i]: (None if lab < 0 else str(lab))
            for i, lab in zip(rows, labels, strict=True)
        },
        topics=baseline_terms(texts, k, seed) if terms else [],
        k=k,
        seconds=seconds,
    )


@dataclass
class Row:
    """One conversation's figures, ours and the baseline's side by side."""

    name: str
    n: int
    k: int = 0
    ours: dict[str, float] = field(default_factory=dict)
    base: dict[str, float] = field(default_factory=dict)
    note: str = ""


def subsamples(n: int) -> tuple[list[int], list[int]]:
    """Two different 80% subsamples of n answers, in input order."""
    size = max(2, round(SUBSAMPLE * n))

    def draw(seed: int) -> list[int]:
        return sorted(np.random.default_rng(seed).choice(n, size, replace=False).tolist())

    return draw(0), draw(1)


def evaluate(conv: Conversation) -> Row:
    stemmer = Stemmer()
    docs = reference_docs(conv.texts, stemmer)
    row = Row(conv.name, len(conv.ids))
    try:
        first = engine_run(conv, 0, stemmer)
        second = engine_run(conv, 1, stemmer)
        sub_a, sub_b = subsamples(len(conv.ids))
        part_a = engine_run(conv, 0, stemmer, sub_a)
        part_b = engine_run(conv, 0, stemmer, sub_b)
    except NotEnoughText as error:
        row.note = str(error)
        return row
    row.k = first.k
    base = baseline_run(conv, first.k, 0, terms=True)
    runs = {
        "ours": (first, second, part_a, part_b),
        "base": (
            base,
            baseline_run(conv, first.k, 1),
            baseline_run(conv, first.k, 0, sub_a),
            baseline_run(conv, first.k, 0, sub_b),
        ),
    }
    for side, (full, seed_1, a, b) in runs.items():
        getattr(row, side).update(
            npmi=npmi_coherence(full.topics, docs),
            diversity=topic_diversity(full.topics),
            coverage=coverage(full.primary.values()),
            stab_seed=stability(full.primary, seed_1.primary),
            stab_sub=stability(a.primary, b.primary),
            seconds=full.seconds,
        )
    return row


METRICS = (
    ("npmi", "NPMI"),
    ("diversity", "diversity"),
    ("coverage", "coverage"),
    ("stab_seed", "ARI seeds"),
    ("stab_sub", "ARI 80%"),
    ("seconds", "s"),
)


def _f(value: float, digits: int = 3) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _median(values: Sequence[float]) -> float:
    kept = [v for v in values if not math.isnan(v)]
    return statistics.median(kept) if kept else math.nan


def table(rows: Sequence[Row]) -> str:
    """Markdown: per conversation, ours / baseline for each metric, then the medians."""
    head = "| conversation | n | k | " + " | ".join(f"{t} ours / base" for _, t in METRICS) + " |"
    lines = [head, "|" + "---|" * (3 + len(METRICS))]

    def cells(ours: dict[str, float], base: dict[str, float]) -> str:
        return " | ".join(
            f"{_f(ours.get(key, math.nan), 2 if key == 'seconds' else 3)} / "
            f"{_f(base.get(key, math.nan), 2 if key == 'seconds' else 3)}"
            for key, _ in METRICS
        )

    for row in rows:
        if row.note:
            lines.append(f"| {row.name} | {row.n} | – | {row.note} |")
            continue
        lines.append(f"| {row.name} | {row.n} | {row.k} | {cells(row.ours, row.base)} |")
    done = [row for row in rows if not row.note]
    if done:
        medians = [
            {key: _median([getattr(r, side)[key] for r in done]) for key, _ in METRICS}
            for side in ("ours", "base")
        ]
        n = statistics.median(r.n for r in done)
        k = statistics.median(r.k for r in done)
        lines.append(f"| **median** ({len(done)}) | {n:g} | {k:g} | {cells(*medians)} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="four small conversations only")
    parser.add_argument("--conversations", nargs="+", help="folder names (default: all English)")
    parser.add_argument("--output", type=Path, help="also write the markdown table here")
    parser.add_argument("--method", choices=METHODS, default=METHODS[0], help="our engine's method")
    args = parser.parse_args(argv)
    METHOD[0] = args.method
    if not POLIS.is_dir():
        print(f"No Pol.is data at {POLIS} (set ENGAGE_BENCH_DATA).", file=sys.stderr)
        return 2
    names = args.conversations or (QUICK if args.quick else None)
    folders = sorted(p for p in POLIS.iterdir() if (p / "comments.csv").is_file())
    if names:
        folders = [p for p in folders if p.name in names]
    rows: list[Row] = []
    for folder in folders:
        conv = load(folder)
        if not is_english(conv.texts):
            print(f"  {conv.name}: not English, skipped", file=sys.stderr, flush=True)
            continue
        rows.append(evaluate(conv))
        print(f"  {conv.name} done", file=sys.stderr, flush=True)
    text = table(rows)
    print(text)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
