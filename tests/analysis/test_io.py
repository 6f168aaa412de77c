"""read_answers: the file formats officers export, and messages that say what to fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.errors import AnalysisError
from analysis.io import read_answers

ROWS = [("r1", "More buses to the hospital"), ("r2", "Fix the potholes, please"), ("r3", "")]


def _csv(path: Path, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    lines = [f"response_id{delimiter}answer{delimiter}ward"]
    lines += [f'{rid}{delimiter}"{text}"{delimiter}Leith' for rid, text in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_csv(tmp_path: Path, encoding: str) -> None:
    path = _csv(tmp_path / "answers.csv", encoding)
    assert read_answers(path, text_column="answer", id_column="response_id") == ROWS


def test_tsv(tmp_path: Path) -> None:
    path = _csv(tmp_path / "answers.tsv", delimiter="\t")
    assert read_answers(str(path), text_column="answer", id_column="response_id") == ROWS


@pytest.mark.parametrize("suffix", [".jsonl", ".ndjson"])
def test_json_lines(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"answers{suffix}"
    lines = [json.dumps({"id": rid, "text": text, "ward": "Leith"}) for rid, text in ROWS]
    lines.insert(1, "")  # blank lines are skipped
    lines.append(json.dumps({"id": 7, "text": None}))
    path.write_text("\n".join(lines), encoding="utf-8")
    assert read_answers(path, text_column="text", id_column="id") == [*ROWS, ("7", "")]


def test_non_ascii_text_survives(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text("id,text\n1,Café on the Royal Mile – Māori art\n", encoding="utf-8")
    assert read_answers(path, text_column="text", id_column="id") == [
        ("1", "Café on the Royal Mile – Māori art")
    ]


def test_missing_column_names_the_columns_found(tmp_path: Path) -> None:
    path = _csv(tmp_path / "answers.csv")
    with pytest.raises(AnalysisError) as error:
        read_answers(path, text_column="comment", id_column="response_id")
    message = str(error.value)
    assert "'comment'" in message
    assert "'response_id', 'answer', 'ward'" in message


def test_missing_field_in_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_text(json.dumps({"id": "1", "body": "x"}) + "\n", encoding="utf-8")
    with pytest.raises(AnalysisError, match="no column 'text'"):
        read_answers(path, text_column="text", id_column="id")
    path.write_text(
        json.dumps({"id": "1", "text": "x"}) + "\n" + json.dumps({"id": "2"}) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(AnalysisError, match="Line 2 .* no field 'text'"):
        read_answers(path, text_column="text", id_column="id")


def test_broken_json_line(tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_text('{"id": "1", "text": "fine"}\n{"id": "2", "text": \n', encoding="utf-8")
    with pytest.raises(AnalysisError, match="Line 2 of answers.jsonl is not valid JSON"):
        read_answers(path, text_column="text", id_column="id")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_bytes("id,text\n1,Caf\u00e9 culture\n".encode("cp1252"))
    with pytest.raises(AnalysisError, match="not UTF-8"):
        read_answers(path, text_column="text", id_column="id")


def test_missing_file_and_unknown_type(tmp_path: Path) -> None:
    with pytest.raises(AnalysisError, match="There is no file"):
        read_answers(tmp_path / "nope.csv", text_column="text", id_column="id")
    other = tmp_path / "answers.xlsx"
    other.write_bytes(b"PK")
    with pytest.raises(AnalysisError, match=r"\.csv, \.tsv, \.jsonl or \.ndjson"):
        read_answers(other, text_column="text", id_column="id")


def test_empty_file_and_empty_id(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(AnalysisError, match="empty"):
        read_answers(empty, text_column="text", id_column="id")
    no_id = tmp_path / "no_id.csv"
    no_id.write_text("id,text\n1,Buses\n,Potholes\n", encoding="utf-8")
    with pytest.raises(AnalysisError, match="Line 3 of no_id.csv has an empty 'id'"):
        read_answers(no_id, text_column="text", id_column="id")
