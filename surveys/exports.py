"""Responses out: one row per response as CSV or XLSX, and summary counts per question.

The column layout is shared with ``surveys.imports``, so an exported file imports back to the
same answers. Each column has a key that the importer reads (``Q3``, ``Q3.label``, ``Q4.o2``,
``Q5.r1``, ``eq.age_band``) followed by words for people. Questions are numbered as the
respondent sees them: information text has no number and no column.

Cells that a spreadsheet would run as a formula (starting ``= + - @``, a tab or a carriage
return) get a leading apostrophe (OWASP "CSV injection"); ``unescape`` takes it off again.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from surveys import equalities as eq
from surveys.models import Consultation, Question, Response
from surveys.questions import get_type
from surveys.questions.choice import OTHER, MultipleChoice, SingleChoice, allows_other
from surveys.questions.grid import Matrix, Ranking, rows
from surveys.questions.other import Consent, Locality
from surveys.questions.text import Email
from surveys.services import question_numbers

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = "Response number"
SUBMITTED = "Submitted"
CHANNEL = "Channel"
TOKEN = "Submission token"  # noqa: S105 - a column heading, not a secret
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | float


@dataclass(frozen=True)
class Column:
    """One column of the response file.

    ``part`` says what the cell holds: ``code`` (an option value, or the answer itself for
    typed-in questions), ``label`` (read-only words for a code), ``other`` (the "Other, please
    specify" text), ``tick`` (1 when a multiple-choice option is chosen), ``row`` (a matrix row's
    code), ``row_label``, ``rank`` (a ranking option's number), or ``meta``.
    """

    key: str
    header: str
    part: str
    question: Any = None  # a Question, or an equalities BlockQuestion
    value: str = ""  # the option or row the column is about

    @property
    def readable(self) -> bool:
        """Whether the importer reads it (labels are there for people)."""
        return self.part not in ("label", "row_label")


def numbered(consultation: Consultation) -> list[tuple[int, Question]]:
    """Questions that take an answer, with their numbers (``services.question_numbers``)."""
    numbers = question_numbers(consultation)
    return [(numbers[q.id], q) for q in consultation.questions if q.id in numbers]


def _col(key: str, words: str, part: str, question: Any = None, value: str = "") -> Column:
    return Column(key, f"{key} {words}", part, question, value)


def question_columns(number: int, question: Question) -> list[Column]:
    """The columns for one question, by its type."""
    qtype = get_type(question.type)
    key, title = f"Q{number}", question.title.strip()
    if isinstance(qtype, MultipleChoice):
        cols = [
            _col(f"{key}.{o['value']}", f"{title} – {o['label']}", "tick", question, o["value"])
            for o in question.options
        ]
        if allows_other(question):
            cols.append(_col(f"{key}.other", f"{title} – Other, please specify", "other", question))
        return cols
    if isinstance(qtype, Matrix):
        cols = []
        for row in rows(question):
            rkey, words = f"{key}.{row['value']}", f"{title} – {row['label']}"
            cols.append(_col(rkey, words, "row", question, row["value"]))
            cols.append(
                _col(f"{rkey}.label", f"{words} (label)", "row_label", question, row["value"])
            )
        return cols
    if isinstance(qtype, Ranking):
        return [
            _col(
                f"{key}.{o['value']}",
                f"{title} – {o['label']} (rank)",
                "rank",
                question,
                o["value"],
            )
            for o in question.options
        ]
    if isinstance(qtype, SingleChoice | Locality):
        cols = [
            _col(key, title, "code", question),
            _col(f"{key}.label", f"{title} (label)", "label", question),
        ]
        if isinstance(qtype, SingleChoice) and allows_other(question):
            cols.append(_col(f"{key}.other", f"{title} – Other, please specify", "other", question))
        return cols
    return [_col(key, title, "code", question)]


def layout(
    consultation: Consultation, *, exporting: bool = True, localities: Sequence[str] = ()
) -> list[Column]:
    """Every column of the response file, in order.

    An anonymous consultation's export leaves out the submission token and email answers, and
    no export carries the equalities block beside a person's answers: residents are told it is
    kept apart and reported only for groups of 10 or more (see ``summary_rows``).
    ``exporting=False`` gives what an import may contain: email, and the block from paper forms.
    """
    anonymous = consultation.anonymous
    cols = [Column(NUMBER, NUMBER, "meta"), Column(SUBMITTED, SUBMITTED, "meta")]
    cols.append(Column(CHANNEL, CHANNEL, "meta"))
    if not anonymous:
        cols.append(Column(TOKEN, TOKEN, "meta"))
    for number, question in numbered(consultation):
        if exporting and anonymous and isinstance(get_type(question.type), Email):
            continue
        cols.extend(question_columns(number, question))
    if consultation.equalities and not exporting:
        for block in eq.questions(localities):
            key = f"eq.{block.key}"
            cols.append(_col(key, block.title, "code", block))
            cols.append(_col(f"{key}.label", f"{block.title} (label)", "label", block))
    return cols


def template_headers(consultation: Consultation, localities: Sequence[str] = ()) -> list[str]:
    """Headers of a blank file to fill in: what the importer reads, labels left out."""
    cols = layout(consultation, exporting=False, localities=localities)
    return [c.header for c in cols if c.readable and c.key not in (NUMBER, TOKEN)]


def _cell(column: Column, answer: Any, anonymous: bool, response: Response) -> Cell:
    """What one column holds for one response; ``answer`` is the stored Answer or None."""
    question = column.question
    if column.part == "meta":
        if column.key == SUBMITTED:
            when = response.submitted_at
            return when.date().isoformat() if anonymous else when.isoformat(timespec="seconds")
        if column.key == CHANNEL:
            return response.channel
        return response.submission_token
    if column.key.startswith("eq."):
        code: str | None = (
            getattr(response.equalities, question.key, None) if response.equalities else None
        )
        if code is None:
            return ""
        return code if column.part == "code" else question.option_label(code)
    if answer is None:
        return ""
    value, qtype = answer.value, get_type(question.type)
    if column.part == "other":
        chosen = value if isinstance(value, list) else [value]
        return (answer.text or "") if OTHER in chosen else ""
    if column.part == "tick":
        return 1 if column.value in (value or []) else 0
    if column.part in ("row", "row_label"):
        row_code: str | None = (value or {}).get(column.value)  # a matrix maps rows to codes
        if row_code is None:
            return ""
        return row_code if column.part == "row" else question.option_label(row_code)
    if column.part == "rank":
        order = list(value or [])
        return order.index(column.value) + 1 if column.value in order else ""
    if column.part == "label":
        return "Other" if value == OTHER else qtype.display(question, value, answer.text)
    if isinstance(qtype, Consent):
        return "yes" if value else ""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return value
    return str(value)


def response_rows(
    session: Session, consultation: Consultation, localities: Sequence[str] = ()
) -> Iterator[list[Cell]]:
    """One row per response, oldest first, numbered from 1 within the consultation."""
    cols = layout(consultation, localities=localities)
    stmt = (
        select(Response)
        .where(Response.consultation_id == consultation.id)
        .options(selectinload(Response.answers), selectinload(Response.equalities))
        .order_by(Response.id)
        .execution_options(yield_per=500)
    )
    for number, response in enumerate(session.scalars(stmt), start=1):
        by_question = {a.question_id: a for a in response.answers}
        row: list[Cell] = []
        for column in cols:
            if column.key == NUMBER:
                row.append(number)
                continue
            question = column.question
            answer = by_question.get(question.id) if isinstance(question, Question) else None
            row.append(_cell(column, answer, consultation.anonymous, response))
        yield row


def escape(value: Cell) -> Cell:
    """Text a spreadsheet would run as a formula gets an apostrophe in front.

    Text that already starts with an apostrophe gets one too, so ``unescape`` is exact.
    """
    if isinstance(value, str) and value.startswith((*FORMULA_START, "'")):
        return "'" + value
    return value


def unescape(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1] in (*FORMULA_START, "'"):
        return value[1:]
    return value


def to_csv(header: Sequence[str], body: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel reads accents and Gaelic correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([escape(h) for h in header])
    for row in body:
        writer.writerow([escape(c) for c in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(header: Sequence[str], body: Iterable[Sequence[Cell]], title: str) -> bytes:
    return to_xlsx_book([(title, header, body)])


def to_xlsx_book(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Cell]]]]) -> bytes:
    """One workbook, a sheet per (title, header, rows), cells escaped as in ``to_csv``."""
    book = Workbook(write_only=True)
    for title, header, body in sheets:
        sheet = book.create_sheet(title[:31])
        for row in ([*header], *body):
            sheet.append([_xlsx_cell(escape(c)) for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_cell(value: Cell) -> Cell:
    # XLSX cannot hold most control characters; they are dropped rather than failing the file.
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def export_responses(
    session: Session, consultation: Consultation, fmt: str, localities: Sequence[str] = ()
) -> bytes:
    header = [c.header for c in layout(consultation, localities=localities)]
    body = response_rows(session, consultation, localities)
    return to_xlsx(header, body, "Responses") if fmt == "xlsx" else to_csv(header, body)


SUMMARY_HEADER = ("Question", "Answer", "Count", "Percentage")


def summary_rows(
    session: Session, consultation: Consultation, localities: Sequence[str] = ()
) -> list[list[Cell]]:
    """Counts per option for choice questions (percentage of those who answered the question),
    and how many answered each other question (percentage of all responses)."""
    responses = list(
        session.scalars(
            select(Response)
            .where(Response.consultation_id == consultation.id)
            .options(selectinload(Response.answers), selectinload(Response.equalities))
        )
    )
    total = len(responses)
    by_question: dict[int, list[Any]] = {}
    for response in responses:
        for answer in response.answers:
            by_question.setdefault(answer.question_id, []).append(answer.value)
    out: list[list[Cell]] = [["All responses", "", total, 100.0 if total else 0.0]]
    for number, question in numbered(consultation):
        label = f"Q{number} {question.title}"
        values = by_question.get(question.id, [])
        out.extend(_question_summary(label, question, values, total))
    if consultation.equalities:
        for block in eq.questions(localities):
            codes = [getattr(r.equalities, block.key) for r in responses if r.equalities]
            codes = [c for c in codes if c]
            counts = Counter(codes)
            shown = eq.suppress([counts[o["value"]] for o in block.options])
            for option, count in zip(block.options, shown, strict=True):
                if count is None:
                    small = 0 < counts[option["value"]] < eq.SUPPRESS_BELOW
                    out.append([block.title, option["label"], eq.hidden_words(small), ""])
                else:
                    out.append([block.title, option["label"], count, _pct(count, len(codes))])
    return out


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _question_summary(
    label: str, question: Question, values: list[Any], total: int
) -> list[list[Cell]]:
    qtype = get_type(question.type)
    answered = len(values)
    options = [(o["value"], o["label"]) for o in question.options]
    if isinstance(qtype, Matrix):
        lines: list[list[Cell]] = []
        for row in rows(question):
            picked = Counter(v.get(row["value"]) for v in values if isinstance(v, dict))
            n = sum(c for k, c in picked.items() if k)
            for value, words in options:
                lines.append(
                    [f"{label} – {row['label']}", words, picked[value], _pct(picked[value], n)]
                )
        return lines
    if isinstance(qtype, Ranking):
        firsts = Counter(v[0] for v in values if v)
        return [
            [label, f"{words} ranked first", firsts[value], _pct(firsts[value], answered)]
            for value, words in options
        ]
    if isinstance(qtype, SingleChoice | MultipleChoice | Locality):
        counts: Counter[str] = Counter()
        for value in values:
            counts.update(value if isinstance(value, list) else [value])
        if allows_other(question):
            options.append((OTHER, "Other"))
        return [
            [label, words, counts[value], _pct(counts[value], answered)] for value, words in options
        ]
    return [[label, "Answered", answered, _pct(answered, total)]]


def export_summary(
    session: Session, consultation: Consultation, fmt: str, localities: Sequence[str] = ()
) -> bytes:
    body = summary_rows(session, consultation, localities)
    if fmt == "xlsx":
        return to_xlsx(SUMMARY_HEADER, body, "Summary")
    return to_csv(SUMMARY_HEADER, body)
