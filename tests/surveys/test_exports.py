"""Response exports: the column layout, formula escaping, anonymity and summary counts."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from surveys import exports
from surveys.models import Channel, EqualitiesAnswers
from tests.surveys.survey_data import FULL, LEAST, answer, every_type


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_columns_for_every_question_type(db):
    item = every_type(db, anonymous=False, equalities=True)
    keys = [c.key for c in exports.layout(item)]
    assert keys[:4] == ["Response number", "Submitted", "Channel", "Submission token"]
    # Information text has no number and no column; each other type has its own shape.
    assert keys[4:] [:27] == [
        "Q1", "Q1.label", "Q1.other",  # single choice: code, label, other text
        "Q2.o1", "Q2.o2", "Q2.o3", "Q2.other",  # multiple choice: a column per option
        "Q3", "Q3.label",  # rating scale
        "Q4.r1", "Q4.r1.label", "Q4.r2", "Q4.r2.label",  # matrix: code and label per row
        "Q5.o1", "Q5.o2", "Q5.o3",  # ranking: a number per option
        "Q6", "Q7", "Q8", "Q9", "Q10",  # short and long text, number, date, email
        "Q11", "Q11.label",  # locality
        "Q12",  # consent
    ]  # fmt: skip
    # The equalities block is kept apart: never beside a person's answers in an export, but a
    # paper return may carry it, so the importer reads it.
    assert not any(key.startswith("eq.") for key in keys)
    imported = [c.key for c in exports.layout(item, exporting=False)]
    at = imported.index("eq.age_band")
    assert imported[at : at + 3] == ["eq.age_band", "eq.age_band.label", "eq.sex"]
    headers = [c.header for c in exports.layout(item)]
    assert "Q2.o2 Which services do you use? – Gym" in headers
    assert "Q4.r2.label How good are these? – Roads (label)" in headers
    assert headers[-1].startswith("Q12 ")


def test_an_anonymous_export_identifies_nobody(db):
    item = every_type(db)  # anonymous is the default
    response = answer(item, FULL, now=datetime(2025, 3, 4, 15, 42, 7, tzinfo=UTC))
    header, row = read_csv(exports.export_responses(db, item, "csv"))
    assert "Submission token" not in header
    assert not any(h.startswith("Q10 ") for h in header)  # the email question
    data = dict(zip(header, row, strict=True))
    assert data["Submitted"] == "2025-03-04"
    assert response.submission_token not in row
    assert "someone@example.org" not in row


def test_a_named_export_keeps_token_time_and_email(db):
    item = every_type(db, anonymous=False)
    response = answer(item, FULL, now=datetime(2025, 3, 4, 15, 42, 7, tzinfo=UTC))
    header, row = read_csv(exports.export_responses(db, item, "csv"))
    data = dict(zip(header, row, strict=True))
    assert data["Submitted"] == "2025-03-04T15:42:07+00:00"
    assert data["Submission token"] == response.submission_token
    assert data["Q10 Email, if you want a reply"] == "someone@example.org"


def test_cells_hold_codes_labels_ticks_and_ranks(db):
    item = every_type(db, equalities=True)
    first = answer(item, FULL, channel=Channel.PAPER)
    first.equalities = EqualitiesAnswers(consultation_id=item.id, age_band="16-24")
    answer(item, LEAST)
    db.flush()
    db.expire_all()
    header, *rows = read_csv(exports.export_responses(db, item, "csv"))
    full = dict(zip([h.split(" ")[0] for h in header], rows[0], strict=True))
    least = dict(zip([h.split(" ")[0] for h in header], rows[1], strict=True))
    assert (full["Response"], least["Response"]) == ("1", "2")
    assert full["Channel"] == "paper"
    assert (full["Q1"], full["Q1.label"]) == ("other", "Other")
    assert full["Q1.other"] == '\'=HYPERLINK("http://x")'  # escaped for spreadsheets
    assert (full["Q2.o1"], full["Q2.o2"], full["Q2.other"]) == ("1", "0", "'+44 Gym")
    assert (full["Q3"], full["Q3.label"]) == ("o2", "Agree")
    assert (full["Q4.r2"], full["Q4.r2.label"]) == ("o2", "Poor")
    assert (full["Q5.o1"], full["Q5.o2"], full["Q5.o3"]) == ("2", "1", "3")
    assert full["Q6"] == "'@Main Street"
    assert full["Q8"] == "-2.5"  # a number is not a formula
    assert full["Q9"] == "2007-03-27"
    assert (full["Q11"], full["Q11.label"]) == ("o2", "Kirkhallie")
    assert full["Q12"] == "yes"
    # Questions left blank stay blank: no 0 ticks for an unanswered multiple choice.
    assert (least["Q2.o1"], least["Q3"], least["Q5.o3"], least["Q5.o1"]) == ("", "", "1", "")


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("=1+1", "'=1+1"),
        ("+44", "'+44"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("'already quoted", "''already quoted"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_formula_escaping_round_trips(text, escaped):
    assert exports.escape(text) == escaped
    assert exports.unescape(exports.escape(text)) == text


def test_numbers_are_not_escaped_and_legacy_apostrophes_are_kept():
    assert exports.escape(-3) == -3
    assert exports.unescape("'hello") == "'hello"


def test_xlsx_export_holds_no_formulas(db):
    item = every_type(db)
    answer(item, FULL)
    book = load_workbook(io.BytesIO(exports.export_responses(db, item, "xlsx")))
    sheet = book.active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = [c.value for c in cells]
    assert '\'=HYPERLINK("http://x")' in values
    assert -2.5 in values  # numbers stay numbers


def test_summary_counts_and_percentages(db):
    item = every_type(db)
    answer(item, FULL)
    answer(item, LEAST)
    answer(item, LEAST)
    rows = exports.summary_rows(db, item)
    assert rows[0] == ["All responses", "", 3, 100.0]
    by_answer = {(r[0].split(" ")[0], r[1]): (r[2], r[3]) for r in rows}
    assert by_answer[("Q1", "Bus")] == (2, 66.7)
    assert by_answer[("Q1", "Other")] == (1, 33.3)
    assert by_answer[("Q2", "Library")] == (1, 100.0)  # of those who answered it
    assert by_answer[("Q5", "Health ranked first")] == (2, 66.7)
    assert by_answer[("Q6", "Answered")] == (1, 33.3)  # of all responses
    header, *body = read_csv(exports.export_summary(db, item, "csv"))
    assert header == ["Question", "Answer", "Count", "Percentage"]
    assert len(body) == len(rows)
