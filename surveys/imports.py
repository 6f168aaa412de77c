"""Responses in: paper forms keyed in by officers, and CSV or XLSX files of paper or legacy
responses checked row by row.

Both go through ``read_paper_form``: every question's own rules (required, options, limits),
with the survey's routing and conditions deciding which questions were asked, as online. A
file with any bad row stores nothing; each row's submission token comes from the consultation
and the row's content, so importing the same file twice stores each response once.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import equalities as eq
from surveys import routing
from surveys.errors import SurveyError
from surveys.exports import CHANNEL, SUBMITTED, Column, layout, unescape
from surveys.models import CHANNEL_LABELS, Channel, Consultation, Response
from surveys.questions import Parsed, get_type
from surveys.questions.choice import OTHER, other_field
from surveys.questions.grid import row_field
from surveys.questions.text import DateInput, Email
from surveys.services import FieldError, parse_answers, submit_response

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
TICKED = {"1", "yes", "y", "x", "true", "ticked"}
NOT_TICKED = {"", "0", "no", "n", "false"}
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00)?)?$")
# Questions whose answer spreads over several columns: problems name the question.
SEVERAL_COLUMNS = ("multiple_choice", "matrix", "ranking")
UK_DATE = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


class ImportFileError(SurveyError):
    """The file as a whole cannot be read; the message says why in plain English."""


@dataclass(frozen=True)
class Problem:
    row: int  # the row number a spreadsheet shows: the header is row 1
    column: str
    value: str
    message: str


@dataclass
class Entry:
    """One paper response, read and checked."""

    answers: dict[int, Parsed]
    equalities: dict[str, str]
    errors: list[FieldError] = field(default_factory=list)
    equalities_errors: list[eq.BlockError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.errors or self.equalities_errors)


def read_paper_form(
    consultation: Consultation,
    form: Mapping[str, Sequence[str]],
    localities: Sequence[str] = (),
) -> Entry:
    """Every question's answer from a paper form; questions the routing skips are dropped."""
    asked = routing.walk(consultation, form).asked
    answers, errors = parse_answers(asked, form)
    entry = Entry(answers=answers, equalities={}, errors=errors)
    if consultation.equalities:
        block = eq.questions(localities)
        entry.equalities, entry.equalities_errors = eq.parse(block, form)
    return entry


# Files -------------------------------------------------------------------------------------


def read_table(filename: str, data: bytes) -> list[list[str]]:
    """The rows of a CSV or XLSX file as text, or an ImportFileError that says what is wrong."""
    name = filename.lower()
    if not data:
        raise ImportFileError("The selected file is empty")
    if len(data) > MAX_BYTES:
        raise ImportFileError("The selected file must be smaller than 10 MB")
    if name.endswith(".csv"):
        table = _read_csv(data)
    elif name.endswith(".xlsx"):
        table = _read_xlsx(data)
    else:
        raise ImportFileError("The selected file must be a CSV or XLSX file")
    while table and not any(cell.strip() for cell in table[-1]):
        table.pop()
    if not table or not any(c.strip() for c in table[0]):
        raise ImportFileError("The selected file is empty")
    if len(table) - 1 > MAX_ROWS:
        raise ImportFileError(f"The selected file has more than {MAX_ROWS:,} rows: split it")
    return table


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")  # Excel's "CSV" on Windows
        except UnicodeDecodeError:
            raise ImportFileError("The selected file must be saved as CSV (UTF-8)") from None
    if "\x00" in text:
        raise ImportFileError("The selected file is not a CSV file")
    try:
        return [[unescape(c) for c in row] for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error:
        raise ImportFileError("The selected file could not be read as CSV") from None


def _read_xlsx(data: bytes) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise ImportFileError("The selected file could not be read as an XLSX file") from None
    try:
        sheet = book.worksheets[0]
        table: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True):
            table.append([_xlsx_text(v) for v in values])
            if len(table) > MAX_ROWS + 1:
                break
    finally:
        book.close()
    return table


def _xlsx_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unescape(str(value))


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    already: int = 0
    problems: list[Problem] = field(default_factory=list)


def import_responses(
    session: Session,
    consultation: Consultation,
    filename: str,
    data: bytes,
    *,
    now: datetime,
    localities: Sequence[str] = (),
) -> ImportResult:
    """Check every row, then store them all, or nothing when any row has a problem."""
    table = read_table(filename, data)
    columns = _match_header(consultation, table[0], localities)
    result = ImportResult(rows=len(table) - 1)
    checked: list[tuple[str, Entry, str, datetime]] = []
    copies: Counter[tuple[str, ...]] = Counter()
    for offset, cells in enumerate(table[1:]):
        number = offset + 2
        if not any(c.strip() for c in cells):
            continue
        row = {col.key: (cells[i].strip() if i < len(cells) else "") for i, col in columns.items()}
        problems, entry, channel, when = _check_row(
            consultation, columns, row, number, now, localities
        )
        result.problems.extend(problems)
        # The row's content (and which copy of an identical row it is), not its position: the same
        # file, or the same file with rows added or moved, imports each response once.
        content = tuple(c.strip() for c in cells)
        copies[content] += 1
        token = hashlib.sha256(
            "\x1f".join((str(consultation.id), str(copies[content]), *content)).encode()
        ).hexdigest()
        checked.append((token, entry, channel, when))
    if result.problems:
        return result
    taken = set(
        session.scalars(
            select(Response.submission_token).where(
                Response.submission_token.in_([c[0] for c in checked])
            )
        )
    )
    for token, entry, channel, when in checked:
        if token in taken:
            result.already += 1
            continue
        submit_response(
            session,
            consultation,
            entry.answers,
            token=token,
            now=when,
            channel=channel,
            equalities=entry.equalities,
            keyed_in=True,
        )
        result.created += 1
    return result


def _match_header(
    consultation: Consultation, header: Sequence[str], localities: Sequence[str] = ()
) -> dict[int, Column]:
    """Columns of the file by position; unknown or missing columns fail the whole file."""
    known = {c.key.lower(): c for c in layout(consultation, exporting=False, localities=localities)}
    by_position: dict[int, Column] = {}
    unknown: list[str] = []
    for position, text in enumerate(header):
        words = text.strip()
        if not words:
            continue
        key = words.lower() if words.lower() in known else words.split(" ", 1)[0].lower()
        column = known.get(key)
        if column is None:
            unknown.append(words)
        elif column.readable:
            by_position[position] = column
    present = {c.key for c in by_position.values()}
    missing = [
        c.header
        for c in known.values()
        if c.readable
        and c.part != "meta"
        and c.key not in present
        and not c.key.startswith("eq.")  # the equalities block is optional in legacy files
        and not isinstance(get_type(c.question.type), Email)  # anonymous exports leave it out
    ]
    messages = []
    if unknown:
        messages.append("These columns are not questions of this consultation: " + _list(unknown))
    if missing:
        messages.append("These columns are missing: " + _list(missing))
    if messages:
        raise ImportFileError(
            ". ".join(messages) + ". Download the template to see the columns to use."
        )
    return by_position


def _list(items: Sequence[str]) -> str:
    shown = ", ".join(f"“{i}”" for i in items[:5])
    return shown + (f" and {len(items) - 5} more" if len(items) > 5 else "")


def _check_row(
    consultation: Consultation,
    columns: Mapping[int, Column],
    row: Mapping[str, str],
    number: int,
    now: datetime,
    localities: Sequence[str] = (),
) -> tuple[list[Problem], Entry, str, datetime]:
    problems: list[Problem] = []
    form: dict[str, list[str]] = {}
    headers: dict[str, str] = {}  # form field → the column it came from, for the report
    for column in columns.values():
        value = row.get(column.key, "")
        if column.part == "meta":
            continue
        problem = _to_form(column, value, form, headers)
        if problem:
            problems.append(Problem(number, column.header, value, problem))
    entry = read_paper_form(consultation, form, localities)
    by_id = {q.id: q for q in consultation.questions}
    for error in entry.errors:
        question = by_id[error.question_id]
        mine = [c for c in columns.values() if c.question is question]
        if not mine:  # an optional column (email) left out of the file, for a required question
            problems.append(Problem(number, question.title, "", error.message))
            continue
        header = headers.get(error.field_id, mine[0].header)
        if get_type(question.type).key in SEVERAL_COLUMNS:
            header = f"{mine[0].key.split('.')[0]} {question.title}"
        value = " | ".join(row[c.key] for c in mine if row[c.key])
        problems.append(Problem(number, header, value, error.message))
    for block_error in entry.equalities_errors:
        key = block_error.field_id.replace("eq-", "eq.", 1)
        problems.append(
            Problem(
                number,
                headers.get(block_error.field_id, key),
                row.get(key, ""),
                block_error.message,
            )
        )
    channel, problem = _channel(row.get(CHANNEL, ""))
    if problem:
        problems.append(Problem(number, CHANNEL, row.get(CHANNEL, ""), problem))
    when, problem = _submitted(row.get(SUBMITTED, ""), now)
    if problem:
        problems.append(Problem(number, SUBMITTED, row.get(SUBMITTED, ""), problem))
    return problems, entry, channel, when


def _to_form(
    column: Column, value: str, form: dict[str, list[str]], headers: dict[str, str]
) -> str | None:
    """Put one cell where the question type reads it; a message when the cell cannot be read."""
    question = column.question
    name = question.field_name
    if column.part == "tick":
        if value.lower() not in TICKED | NOT_TICKED:
            return "Use 1 for a ticked option, and 0 or nothing for one not ticked"
        headers.setdefault(name, column.header)
        if value.lower() in TICKED:
            form.setdefault(name, []).append(column.value)
        return None
    if column.part == "other":
        form[other_field(question)] = [value]
        headers[other_field(question)] = column.header
        if value and get_type(question.type).key == "multiple_choice":
            form.setdefault(name, []).append(OTHER)
        return None
    if column.part in ("row", "rank"):
        field_name = row_field(question, column.value)
        code = _code(question, value) if column.part == "row" else value
        form[field_name] = [code]
        headers[field_name] = column.header
        return None
    headers[name] = column.header
    qtype = get_type(question.type)
    if isinstance(qtype, DateInput):
        headers[qtype.part_field(question, "day")] = column.header
        parts = _date_parts(value)
        if parts is None:
            return "Enter the date as year-month-day, like 2007-03-27"
        for part, text in zip(("day", "month", "year"), parts, strict=True):
            form[qtype.part_field(question, part)] = [text]
        return None
    if qtype.key == "consent":
        form[name] = ["yes"] if value.lower() in TICKED | {"agreed"} else []
        return None
    form[name] = [_code(question, value) if question.options else value]
    return None


def _code(question: Any, value: str) -> str:
    """An option's code; its label is accepted too, as legacy files often hold words."""
    for option in question.options:
        if value == option["value"] or value.lower() == str(option["label"]).lower():
            return str(option["value"])
    return OTHER if value.lower() == OTHER else value


def _date_parts(value: str) -> tuple[str, str, str] | None:
    if not value:
        return ("", "", "")
    if match := ISO_DATE.match(value):
        year, month, day = match.groups()
        return (day, month, year)
    if match := UK_DATE.match(value):
        day, month, year = match.groups()
        return (day, month, year)
    return None


def _channel(value: str) -> tuple[str, str | None]:
    if not value:
        return Channel.PAPER, None
    for channel, label in CHANNEL_LABELS.items():
        if value.lower() in (channel.value, label.lower()):
            return channel.value, None
    allowed = ", ".join(c.value for c in Channel)
    return Channel.PAPER, f"Use one of these channels: {allowed}"


def _submitted(value: str, now: datetime) -> tuple[datetime, str | None]:
    """When the response was given: a date (kept as midday UTC) or an ISO time; blank is now."""
    if not value:
        return now, None
    parts = _date_parts(value)
    try:
        if parts:
            day = date(int(parts[2]), int(parts[1]), int(parts[0]))
            when = datetime.combine(day, time(12, 0), tzinfo=UTC)
            when = now if day == now.date() and when > now else when
        else:
            when = datetime.fromisoformat(value)
            when = when if when.tzinfo else when.replace(tzinfo=UTC)
    except ValueError:
        return now, "Enter the date submitted as year-month-day, like 2025-03-27"
    if when.date() > now.date():
        return now, "The date submitted cannot be in the future"
    return when, None
