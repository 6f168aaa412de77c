"""The `themes` click command, run the way `engage themes` will run it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from analysis.cli import themes_command
from tests.analysis.corpora import QUESTION, planted_answers


def _write_csv(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["response", "answer"])
        for answer_id, text, _ in planted_answers():
            writer.writerow([answer_id, text])
        writer.writerow(["blank", "N/A"])
    return path


def test_writes_themes_json_and_a_summary(tmp_path: Path) -> None:
    source = _write_csv(tmp_path / "answers.csv")
    output = tmp_path / "themes.json"
    args = [str(source), "--text-column", "answer", "--id-column", "response"]
    args += ["--output", str(output), "--question", QUESTION]
    result = CliRunner().invoke(themes_command, args)

    assert result.exit_code == 0, result.output
    data = json.loads(output.read_text(encoding="utf-8"))
    assert set(data) == {
        "themes",
        "assignments",
        "no_comment",
        "other",
        "other_quotes",
        "no_comment_quotes",
    }
    assert len(data["assignments"]) == 91
    assert data["assignments"][-1] == {"id": "blank", "themes": [], "primary": None}
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"Found {len(data['themes'])} themes in 91 answers")
    assert str(output) in lines[0]


def test_explicit_k_and_seed(tmp_path: Path) -> None:
    source = _write_csv(tmp_path / "answers.csv")
    output = tmp_path / "themes.json"
    args = [str(source), "--text-column", "answer", "--id-column", "response"]
    result = CliRunner().invoke(
        themes_command, [*args, "--k", "3", "--seed", "4", "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    assert len(json.loads(output.read_text(encoding="utf-8"))["themes"]) == 3


def test_embeddings_method_writes_the_same_shape(tmp_path: Path, embedding_model: str) -> None:
    source = _write_csv(tmp_path / "answers.csv")
    args = [str(source), "--text-column", "answer", "--id-column", "response"]
    outputs = {}
    for method in ("tfidf", "embeddings"):
        outputs[method] = tmp_path / f"{method}.json"
        result = CliRunner().invoke(
            themes_command,
            [*args, "--question", QUESTION, "--method", method, "--output", str(outputs[method])],
        )
        assert result.exit_code == 0, result.output
    tfidf, embedded = (json.loads(outputs[m].read_text(encoding="utf-8")) for m in outputs)
    assert set(embedded) == set(tfidf)
    assert [set(theme) for theme in embedded["themes"]] == [
        set(tfidf["themes"][0]) for _ in embedded["themes"]
    ]
    assert [a["id"] for a in embedded["assignments"]] == [a["id"] for a in tfidf["assignments"]]
    assert embedded["assignments"][-1] == {"id": "blank", "themes": [], "primary": None}
    assert len(embedded["themes"]) == 5


def test_a_missing_model_folder_exits_2_and_says_what_to_set(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ENGAGE_EMBEDDING_MODEL", str(tmp_path / "nowhere"))
    source = _write_csv(tmp_path / "answers.csv")
    output = tmp_path / "themes.json"
    args = [str(source), "--text-column", "answer", "--id-column", "response"]
    result = CliRunner().invoke(themes_command, [*args, "--output", str(output)])
    assert result.exit_code == 2
    assert "ENGAGE_EMBEDDING_MODEL" in result.output
    assert "Traceback" not in result.output
    assert not output.exists()


def test_an_unknown_method_is_a_usage_error(tmp_path: Path) -> None:
    source = _write_csv(tmp_path / "answers.csv")
    args = [str(source), "--text-column", "answer", "--id-column", "response"]
    result = CliRunner().invoke(
        themes_command, [*args, "--method", "lda", "--output", str(tmp_path / "o.json")]
    )
    assert result.exit_code == 2
    assert "'tfidf'" in result.output
    assert "'embeddings'" in result.output


def test_missing_column_exits_2_with_a_plain_message(tmp_path: Path) -> None:
    source = _write_csv(tmp_path / "answers.csv")
    output = tmp_path / "themes.json"
    args = [str(source), "--text-column", "comment", "--id-column", "response"]
    result = CliRunner().invoke(themes_command, [*args, "--output", str(output)])
    assert result.exit_code == 2
    assert "answers.csv has no column 'comment'" in result.output
    assert "Traceback" not in result.output
    assert not output.exists()


def test_too_little_text_exits_2(tmp_path: Path) -> None:
    source = tmp_path / "answers.jsonl"
    source.write_text('{"id": "1", "text": "Buses"}\n', encoding="utf-8")
    args = [str(source), "--text-column", "text", "--id-column", "id"]
    result = CliRunner().invoke(themes_command, [*args, "--output", str(tmp_path / "o.json")])
    assert result.exit_code == 2
    assert "enough words" in result.output


def test_required_options(tmp_path: Path) -> None:
    result = CliRunner().invoke(themes_command, [str(tmp_path / "answers.csv")])
    assert result.exit_code == 2
    assert "--text-column" in result.output
