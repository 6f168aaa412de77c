"""Reading answers from the files officers actually have: CSV exports and JSON Lines.

Every failure a person can cause (a wrong column name, a file that is not UTF-8, a broken line)
becomes an AnalysisError that says what to fix, in plain English.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from analysis.errors import AnalysisError

CSV_SUFFIXES = {".csv": ",", ".tsv": "\t"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _check_columns(found: list[str], text_column: str, id_column: str, path: Path) -> None:
    if not found:
        raise AnalysisError(f"{path.name} is empty: the first row should name the columns.")
    missing = [column for column in (id_column, text_column) if column not in found]
    if missing:
        names = ", ".join(repr(column) for column in found) or "none"
        raise AnalysisError(
            f"{path.name} has no column {missing[0]!r}. The columns found are: {names}."
        )


def _csv_rows(
    path: Path, delimiter: str, text_column: str, id_column: str
) -> Iterator[tuple[int, Mapping[str, Any]]]:
    # utf-8-sig reads plain UTF-8 too, and drops the byte-order mark Excel writes.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        _check_columns(list(reader.fieldnames or []), text_column, id_column, path)
        for row in reader:
            yield reader.line_num, row


def _jsonl_rows(
    path: Path, text_column: str, id_column: str
) -> Iterator[tuple[int, Mapping[str, Any]]]:
    checked = False
    with path.open(encoding="utf-8-sig") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise AnalysisError(
                    f"Line {line_number} of {path.name} is not valid JSON ({error.msg})."
                ) from None
            if not isinstance(row, dict):
                raise AnalysisError(
                    f"Line {line_number} of {path.name} is not a JSON object with named fields."
                )
            if not checked:
                _check_columns(list(row), text_column, id_column, path)
                checked = True
            elif id_column not in row or text_column not in row:
                missing = id_column if id_column not in row else text_column
                raise AnalysisError(f"Line {line_number} of {path.name} has no field {missing!r}.")
            yield line_number, row


def read_answers(path: str | Path, *, text_column: str, id_column: str) -> list[tuple[str, str]]:
    """(answer id, text) pairs from a CSV/TSV file or a JSON Lines file (.jsonl, .ndjson).

    Empty texts are kept (they count as answers that said nothing); empty ids are refused,
    because quotes and assignments point back to answers by id.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES and suffix not in JSONL_SUFFIXES:
        raise AnalysisError(
            f"{path.name} is not a file type that can be read: use .csv, .tsv, .jsonl or .ndjson."
        )
    if not path.is_file():
        raise AnalysisError(f"There is no file at {path}.")
    rows = (
        _csv_rows(path, CSV_SUFFIXES[suffix], text_column, id_column)
        if suffix in CSV_SUFFIXES
        else _jsonl_rows(path, text_column, id_column)
    )
    answers: list[tuple[str, str]] = []
    try:
        for line_number, row in rows:
            answer_id = _text(row.get(id_column)).strip()
            if not answer_id:
                raise AnalysisError(
                    f"Line {line_number} of {path.name} has an empty {id_column!r}; "
                    "every answer needs an id."
                )
            answers.append((answer_id, _text(row.get(text_column))))
    except UnicodeDecodeError:
        raise AnalysisError(
            f"{path.name} is not UTF-8 text. Save it again as 'CSV UTF-8' (or UTF-8 JSON Lines)."
        ) from None
    except csv.Error as error:
        raise AnalysisError(f"{path.name} could not be read as a table: {error}.") from None
    except OSError as error:
        raise AnalysisError(f"{path.name} could not be opened: {error.strerror}.") from None
    return answers
