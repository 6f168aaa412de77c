"""The package installs a working `engage` command, and `engage themes` keeps its contract."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.worker.corpus import ANSWERS

ENGAGE = Path(sys.executable).parent / "engage"


def test_console_script_lists_the_commands(tmp_path):
    result = subprocess.run(
        [str(ENGAGE), "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={"ENGAGE_INSTANCE_PATH": str(tmp_path), "PATH": ""},
    )
    for command in ("db", "users", "seed-demo", "demo", "themes", "run"):
        assert f"  {command} " in result.stdout


@pytest.fixture(params=["tfidf", "embeddings"])
def method_env(request, tmp_path) -> tuple[str, dict[str, str]]:
    # PYTHONPATH passes through so a checkout run with PYTHONPATH=$PWD tests its own code.
    env = {
        "ENGAGE_INSTANCE_PATH": str(tmp_path),
        "PATH": "",
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
    }
    # No ENGAGE_EMBEDDING_MODEL: the embeddings method runs the model shipped in the package.
    return request.param, env


def test_engage_themes_writes_the_contract(tmp_path, method_env):
    method, env = method_env
    source = tmp_path / "answers.csv"
    with source.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ref", "answer"])
        writer.writerows([f"r{n}", text] for n, text in enumerate(ANSWERS))
    out = tmp_path / "themes.json"
    subprocess.run(
        [
            str(ENGAGE),
            "themes",
            str(source),
            "--text-column",
            "answer",
            "--id-column",
            "ref",
            "--method",
            method,
            "--output",
            str(out),
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    result = json.loads(out.read_text())
    assert set(result) == {
        "themes",
        "assignments",
        "no_comment",
        "other",
        "no_comment_quotes",
        "other_quotes",
    }
    theme_ids = {t["id"] for t in result["themes"]}
    for theme in result["themes"]:
        assert set(theme) == {
            "id",
            "label",
            "terms",
            "size",
            "share",
            "low",
            "high",
            "sentiment",
            "quotes",
        }
    assert [a["id"] for a in result["assignments"]] == [f"r{n}" for n in range(len(ANSWERS))]
    for assignment in result["assignments"]:
        assert set(assignment) == {"id", "themes", "primary"}
        assert set(assignment["themes"]) <= theme_ids
        assert assignment["primary"] in theme_ids | {None}


def test_engage_themes_explains_a_missing_column(tmp_path):
    source = tmp_path / "answers.csv"
    source.write_text("ref,answer\nr1,More buses\n")
    result = subprocess.run(
        [
            str(ENGAGE),
            "themes",
            str(source),
            "--text-column",
            "comment",
            "--id-column",
            "ref",
            "--output",
            str(tmp_path / "o.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={"ENGAGE_INSTANCE_PATH": str(tmp_path), "PATH": ""},
    )
    assert result.returncode == 2
    assert "comment" in result.stderr
