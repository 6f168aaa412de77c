"""What a *supervised* classifier reaches on the short-text sets: a ceiling for the themes targets.

    python bench/ceiling.py            # 4 sets, 10-fold cross-validation, about 3 minutes

The themes engine finds themes without labels. To see whether a target such as "NMI 1.3 x the
baseline's" is within reach of any bag-of-words method, this script trains a linear support
vector machine on the gold labels themselves and scores its cross-validated predictions with the
same NMI, ARI and ACC as bench/themes.py. Each answer is predicted by a model that saw the other
90% of the set with their true labels, which an unsupervised method never has, so its NMI is an
upper bound in practice for clustering on the same features. Two feature sets: the baseline's
stem+bigram TF-IDF, and that plus character 2-5-grams (what helps a classifier most on titles).

Gold labels are read here only to measure the ceiling; the engine never sees them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.baseline import _analyser, baseline_labels  # noqa: E402 - after the path fix above
from bench.themes import SETS, STC, load_set, scores  # noqa: E402

TARGET_NMI_RATIO = 1.3


def features(texts: Sequence[str], with_chars: bool) -> sp.csr_matrix:
    words = TfidfVectorizer(analyzer=_analyser(), sublinear_tf=True, min_df=1, max_df=0.5)
    x = words.fit_transform(texts)
    if with_chars:
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
        x = sp.hstack([x, chars.fit_transform(texts)]).tocsr()
    return sp.csr_matrix(x)


def ceiling(name: str, folds: int) -> list[str]:
    texts, gold = load_set(name)
    baseline = scores(gold, baseline_labels(texts, int(np.unique(gold).size), 0))["nmi"]
    rows = []
    for with_chars in (False, True):
        split = StratifiedKFold(folds, shuffle=True, random_state=0)
        predicted = cross_val_predict(LinearSVC(C=0.5), features(texts, with_chars), gold, cv=split)
        found = scores(gold, predicted)
        rows.append(
            f"| {name} | {'words + characters' if with_chars else 'words (baseline features)'} "
            f"| {found['nmi']:.3f} | {found['ari']:.3f} | {found['acc']:.3f} | {baseline:.3f} "
            f"| {TARGET_NMI_RATIO * baseline:.3f} |"
        )
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS)
    parser.add_argument("--folds", type=int, default=10)
    args = parser.parse_args(argv)
    if not STC.is_dir():
        print(f"No benchmark data at {STC} (set ENGAGE_BENCH_DATA).", file=sys.stderr)
        return 2
    lines = [
        "| set | supervised features | NMI | ARI | ACC | baseline NMI (seed 0) | 1.3 x baseline |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in args.sets:
        lines += ceiling(name, args.folds)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
