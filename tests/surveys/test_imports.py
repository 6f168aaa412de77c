"""Importing paper and legacy responses: round trips, the row report, duplicates, bad files."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from surveys import exports, imports
from surveys.models import EqualitiesAnswers, Response
from tests.surveys.survey_data import FULL, LEAST, answer, answers_of, every_type

NOW = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


def count(db, item) -> int:
    return db.scalar(
        select(func.count()).select_from(Response).where(Response.consultation_id == item.id)
    )


def csv_file(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def xlsx_file(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template(item) -> list[str]:
    return exports.template_headers(item)


def row_of(item, **cells: str) -> list[str]:
    """A row for the template's columns, by column key; everything else blank."""
    keys = [h.split(" ")[0] if h.startswith(("Q", "eq.")) else h for h in template(item)]
    return [cells.get(k.replace(".", "_"), "") for k in keys]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("anonymous", [True, False])
def test_export_then_import_gives_the_same_answers(db, fmt, anonymous):
    source = every_type(db, anonymous=anonymous, equalities=True)
    full = answer(source, FULL, channel="event")
    full.equalities = EqualitiesAnswers(
        consultation_id=source.id, age_band="16-24", ethnicity="white-polish"
    )
    least = answer(source, LEAST)
    db.flush()
    db.expire_all()
    data = exports.export_responses(db, source, fmt)

    target = every_type(db, anonymous=anonymous, equalities=True)
    result = imports.import_responses(db, target, f"responses.{fmt}", data, now=datetime.now(UTC))
    assert result.problems == []
    assert (result.rows, result.created) == (2, 2)
    copies = db.scalars(
        select(Response).where(Response.consultation_id == target.id).order_by(Response.id)
    ).all()
    expected_full = answers_of(full)
    if anonymous:
        expected_full.pop("email")  # anonymous exports carry no email answers
    assert answers_of(copies[0]) == expected_full
    assert answers_of(copies[1]) == answers_of(least)
    assert len(expected_full) == 12 - anonymous  # every type that takes an answer
    assert copies[0].channel == "event"
    assert copies[0].submitted_at.date() == full.submitted_at.date()
    # The equalities block is not exported beside answers, so it cannot come back.
    assert copies[0].equalities is None


def test_the_blank_template_imports_rows_typed_by_hand(db):
    item = every_type(db)
    header = template(item)
    assert "Response number" not in header
    assert "Q1.label" not in " ".join(header)
    rows = [
        header,
        row_of(item, Q1="Car", Q2_o2="x", Q5_o1="1", Q8="3", Q9="27/03/2007", Q12="yes"),
        row_of(item, Q1="o1", Q3="agree", Q11="drumlee", Channel="phone", Q12="1"),
    ]
    result = imports.import_responses(db, item, "paper.csv", csv_file(rows), now=NOW)
    assert result.problems == []
    first, second = db.scalars(
        select(Response).where(Response.consultation_id == item.id).order_by(Response.id)
    )
    assert first.channel == "paper"  # the default
    assert answers_of(first) == {
        "single_choice": ("o2", None),
        "multiple_choice": (["o2"], None),
        "ranking": (["o1"], None),
        "number": (3, None),
        "date": ("2007-03-27", None),
        "consent": (True, None),
    }
    assert first.submitted_at == NOW
    assert second.channel == "phone"
    assert answers_of(second)["rating_scale"] == ("o2", None)  # labels are read as codes
    assert answers_of(second)["locality"] == ("o1", None)


def test_every_kind_of_bad_row_is_reported_and_nothing_is_stored(db):
    item = every_type(db)
    good = {"Q1": "o1", "Q12": "yes"}
    bad_rows = {
        "Q1 How do you usually travel?": ({"Q12": "yes"}, "Select an answer"),
        "Q1 How do you usually travel? ": ({**good, "Q1": "Tram"}, "Select one of the options"),
        "Q2 Which services do you use?": (
            {**good, "Q2_o1": "1", "Q2_o2": "1", "Q2_o3": "1"},
            "Select no more than 2 answers",
        ),
        "Q2.o1 Which services do you use? – Library": (
            {**good, "Q2_o1": "maybe"},
            "Use 1 for a ticked option",
        ),
        "Q5 Rank these priorities": ({**good, "Q5_o1": "1", "Q5_o2": "1"}, "different number"),
        "Q7 Anything else?": ({**good, "Q7": "x" * 301}, "300 characters or fewer"),
        "Q8 How many people live in your home?": ({**good, "Q8": "21"}, "between -5 and 20"),
        "Q8 How many people live in your home? ": ({**good, "Q8": "lots"}, "Enter a number"),
        "Q9 When did you move here?": ({**good, "Q9": "2007-02-30"}, "must be a real date"),
        "Q9 When did you move here? ": ({**good, "Q9": "March"}, "year-month-day"),
        "Q12 Can we use your answers in our report?": ({"Q1": "o1"}, "Tick the box"),
        "Channel": ({**good, "Channel": "carrier pigeon"}, "Use one of these channels"),
        "Submitted": ({**good, "Submitted": "2999-01-01"}, "cannot be in the future"),
        "Q1 How do you usually travel?  ": (
            {**good, "Q1": "other"},
            "Say what your other answer is",
        ),
    }
    rows = [template(item), row_of(item, **good)]
    for cells, _ in bad_rows.values():
        rows.append(row_of(item, **cells))
    result = imports.import_responses(db, item, "paper.csv", csv_file(rows), now=NOW)
    assert count(db, item) == 0
    assert result.created == 0
    reported = [(p.row, p.column, p.message) for p in result.problems]
    for n, (column, (_, message)) in enumerate(bad_rows.items(), start=3):
        matching = [r for r in reported if r[0] == n]
        assert len(matching) == 1, (n, column, reported)
        assert matching[0][1] == column.strip()
        assert message in matching[0][2]
    assert not [r for r in reported if r[0] == 2]  # the good row has no problem


def test_a_file_once_fixed_imports(db):
    item = every_type(db)
    rows = [template(item), row_of(item, Q1="o1", Q12="yes"), row_of(item, Q1="nope", Q12="yes")]
    result = imports.import_responses(db, item, "paper.csv", csv_file(rows), now=NOW)
    assert [(p.row, p.value) for p in result.problems] == [(3, "nope")]
    rows[2] = row_of(item, Q1="o3", Q12="yes")
    result = imports.import_responses(db, item, "paper.csv", csv_file(rows), now=NOW)
    assert (result.problems, result.created, count(db, item)) == ([], 2, 2)


def test_importing_the_same_file_twice_stores_each_response_once(db):
    item = every_type(db)
    rows = [template(item)] + [row_of(item, Q1="o1", Q12="yes") for _ in range(3)]
    data = csv_file(rows)
    first = imports.import_responses(db, item, "paper.csv", data, now=NOW)
    assert (first.created, first.already) == (3, 0)  # identical rows are different people
    again = imports.import_responses(db, item, "paper.csv", data, now=NOW)
    assert (again.created, again.already) == (0, 3)
    more = imports.import_responses(
        db, item, "paper.csv", csv_file([*rows, row_of(item, Q1="o2", Q12="yes")]), now=NOW
    )
    assert (more.created, more.already) == (1, 3)  # rows added at the end are new
    assert count(db, item) == 4
    other = every_type(db)
    assert imports.import_responses(db, other, "paper.csv", data, now=NOW).created == 3
    # A row typed in near the top later shifts the rest down: only it is new.
    inserted = [rows[0], row_of(item, Q1="o3", Q12="yes"), *rows[1:]]
    moved = imports.import_responses(db, item, "paper.csv", csv_file(inserted), now=NOW)
    assert (moved.created, moved.already) == (1, 3)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "The selected file is empty"),
        ("blank.csv", b"\r\n\r\n", "The selected file is empty"),
        ("notes.txt", b"Q1\r\no1\r\n", "must be a CSV or XLSX file"),
        ("fake.xlsx", b"this is not a workbook", "could not be read as an XLSX file"),
        ("huge.csv", b"x" * (10 * 1024 * 1024 + 1), "smaller than 10 MB"),
    ],
)
def test_files_that_cannot_be_read_say_why(db, name, data, message):
    item = every_type(db)
    with pytest.raises(imports.ImportFileError, match=message):
        imports.import_responses(db, item, name, data, now=NOW)


def test_unknown_and_missing_columns_are_named(db):
    item = every_type(db)
    header = [h for h in template(item) if not h.startswith("Q3 ")] + ["Favourite colour"]
    data = csv_file([header, ["" for _ in header]])
    with pytest.raises(imports.ImportFileError) as caught:
        imports.import_responses(db, item, "paper.csv", data, now=NOW)
    message = str(caught.value)
    assert "not questions of this consultation: “Favourite colour”" in message
    assert "missing: “Q3 The park is well kept”" in message


def test_xlsx_cells_typed_by_people_are_understood(db):
    item = every_type(db)
    keys = [h.split(" ")[0] for h in template(item)]
    cells = {"Q1": "Walking", "Q8": 4, "Q9": date(2007, 3, 27), "Q12": "yes", "Q2.o1": 1}
    row = [cells.get(k) for k in keys]
    result = imports.import_responses(
        db, item, "legacy.XLSX", xlsx_file([template(item), row]), now=NOW
    )
    assert result.problems == []
    stored = answers_of(
        db.scalars(select(Response).where(Response.consultation_id == item.id)).one()
    )
    assert stored["number"] == (4, None)
    assert stored["date"] == ("2007-03-27", None)
    assert stored["multiple_choice"] == (["o1"], None)


def test_a_thousand_rows_import_in_one_go(db):
    item = every_type(db)
    rows = [template(item)] + [
        row_of(item, Q1=f"o{n % 3 + 1}", Q7=f"Answer {n}", Q8=str(n % 20), Q12="yes")
        for n in range(1000)
    ]
    result = imports.import_responses(db, item, "big.csv", csv_file(rows), now=NOW)
    assert (result.problems, result.created) == ([], 1000)
    assert count(db, item) == 1000
