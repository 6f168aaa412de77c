"""The scorecard year on year: copying as next year's, nominations, the page and its download."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from engage.scorecard import services as scorecard
from engage.scorecard.models import Nomination
from surveys import definitions, exports, services
from surveys.models import Consultation, ConsultationStatus
from surveys.questions.base import Parsed
from tests import factories

SHARE_ROW = "Partners share information well"


def answer_all(item: Consultation, partner: str, agree_share_row: str, everything_else: str):
    """One paper response: ``agree_share_row`` for the information-sharing statement, and
    ``everything_else`` for every other statement (option values o1..o5)."""
    answers = {item.questions[0].id: Parsed(value=partner)}
    for q in item.questions:
        if q.type == "matrix":
            answers[q.id] = Parsed(
                value={
                    r["value"]: agree_share_row if r["label"] == SHARE_ROW else everything_else
                    for r in q.settings["rows"]
                }
            )
    services.submit_response(
        factories.session(),
        item,
        answers,
        token=secrets.token_urlsafe(16),
        now=datetime.now(UTC),
        channel="paper",
    )


def fill(item: Consultation, council_agree: int, council: int = 30, nhs: int = 5) -> None:
    """``council`` council staff, ``council_agree`` of them agreeing that partners share
    information; a handful of NHS staff (too few to show); the other statements half and half."""
    item.status = ConsultationStatus.OPEN
    for n in range(council):
        answer_all(item, "o1", "o2" if n < council_agree else "o4", "o2" if n % 2 else "o4")
    for _ in range(nhs):
        answer_all(item, "o2", "o1", "o3")
    item.status = ConsultationStatus.CLOSED
    factories.session().flush()


@pytest.fixture
def first_year(db):
    council = factories.organisation("council")
    council.name = "Craigmuir Council"
    item = definitions.build(
        db,
        definitions.available()["partnership-scorecard"],
        organisation_id=council.id,
        title="Partnership Assessment Scorecard 2025",
        partners=["Craigmuir Council", "NHS Craigmuir"],
        closes_at=datetime(2025, 6, 30, tzinfo=UTC),
    )
    fill(item, council_agree=10)
    return item


def test_copy_as_next_year_follows_the_original_and_the_page_shows_the_change(
    client, auth, db, first_year
):
    officer = factories.user("officer", first_year.organisation)
    auth.login(officer)
    response = client.post(f"/scorecard/{first_year.id}/next-year")
    assert response.status_code == 302
    second = db.scalars(
        select(Consultation).where(Consultation.title == "Partnership Assessment Scorecard 2026")
    ).one()
    assert second.previous_id == first_year.id
    assert second.status == ConsultationStatus.DRAFT
    assert "Next year’s survey" in client.get(f"/scorecard/{first_year.id}").get_data(as_text=True)
    assert [q.copied_from_id for q in second.questions] == [q.id for q in first_year.questions]

    second.closes_at = datetime(2026, 6, 30, tzinfo=UTC)
    fill(second, council_agree=25)
    client.post(f"/scorecard/{second.id}/nominations", data={"n_o1": "40", "n_o2": "12"})
    auth.logout()

    auth.login(factories.user("jog"))
    page = client.get(f"/scorecard/{second.id}").get_data(as_text=True)
    assert "Compared with" in page
    assert "Partnership Assessment Scorecard 2025" in page
    assert "2025 agreeing" in page
    assert "2026 agreeing" in page
    # Information sharing: 15 of 35 agreeing (43%), then 30 of 35 (86%): up, +43 points.
    row = page.split(SHARE_ROW)[1].split("</tr>")[0]
    assert "43%" in row
    assert "86%" in row
    assert ">+43<" in row
    assert "Up" in row
    assert "▲" in row
    other = page.split("Staff from different partners work well together")[1].split("</tr>")[0]
    assert "No significant change" in other
    # Response rates: 30 of 40 council staff; the NHS's 5 responses are too few to show.
    rates = page.split("Response rates by partner organisation</caption>")[1].split("</table>")[0]
    assert "75%" in rates
    assert "Fewer than 10" in rates

    nhs = client.get(f"/scorecard/{second.id}?partner=o2").get_data(as_text=True)
    assert "Statements: NHS Craigmuir" in nhs
    assert "86%" not in nhs.split('id="statements"')[1]
    assert "Fewer than 10" in nhs.split('id="statements"')[1]


def test_download_has_every_partner_and_suppresses_small_groups(client, auth, db, first_year):
    second = scorecard.copy_as_next_year(db, first_year)
    second.closes_at = datetime(2026, 6, 30, tzinfo=UTC)
    fill(second, council_agree=25)
    auth.login(factories.user("jog"))
    response = client.get(f"/scorecard/{second.id}/year-on-year.csv")
    assert response.headers["Content-Disposition"].endswith('year-on-year.csv"')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["Partner organisation", "Section", "Statement", "2025 respondents"]
    share = [r for r in rows if len(r) > 2 and r[0] == "All partners" and r[2] == SHARE_ROW][0]
    assert share[3:12] == ["35", "42.9", "3.0", "35", "85.7", "3.86", "42.9", "0.86", "up"]
    assert share[12] == "two-proportion z-test"
    nhs = [r for r in rows if len(r) > 2 and r[0] == "NHS Craigmuir" and r[2] == SHARE_ROW][0]
    assert nhs[3] == "fewer than 10"
    assert nhs[4] == ""
    assert nhs[11] == "not compared"


def test_download_escapes_formulas(client, auth, db, first_year):
    second = scorecard.copy_as_next_year(db, first_year)
    matrix = next(q for q in second.questions if q.type == "matrix")
    matrix.settings = {"rows": [{"value": "r1", "label": '=HYPERLINK("http://x")'}]}
    second.status = ConsultationStatus.CLOSED
    db.flush()
    auth.login(factories.user("jog"))
    text = client.get(f"/scorecard/{second.id}/year-on-year.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text


def same(value):
    """A cell as a number when it is one, so a CSV's "3.0" and a workbook's 3 compare equal."""
    if value is None:
        return ""
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def test_xlsx_download_has_the_csvs_figures_on_two_sheets(client, auth, db, first_year):
    second = scorecard.copy_as_next_year(db, first_year)
    second.closes_at = datetime(2026, 6, 30, tzinfo=UTC)
    fill(second, council_agree=25)
    auth.login(factories.user("jog"))
    response = client.get(f"/scorecard/{second.id}/year-on-year.xlsx")
    assert response.status_code == 200
    assert response.mimetype == exports.XLSX_TYPE
    assert response.headers["Content-Disposition"].endswith('year-on-year.xlsx"')
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Year on year", "Response rates"]
    rows = [[same(c) for c in row] for row in book["Year on year"].iter_rows(values_only=True)]
    text = client.get(f"/scorecard/{second.id}/year-on-year.csv").get_data(as_text=True)
    csv_rows = [[same(c) for c in r] for r in csv.reader(io.StringIO(text.lstrip("\ufeff")))]
    assert rows == csv_rows[: len(rows)]  # the same statements, figure for figure
    share = [r for r in rows if r[0] == "All partners" and r[2] == SHARE_ROW][0]
    assert share[3:12] == [35, 42.9, 3.0, 35, 85.7, 3.86, 42.9, 0.86, "up"]
    rates = [[same(c) for c in r] for r in book["Response rates"].iter_rows(values_only=True)]
    assert rates[0][0] == "Response rates"
    assert [r[0] for r in rates[1:3]] == ["Craigmuir Council", "NHS Craigmuir"]
    assert rates == csv_rows[len(rows) + 1 :]


def test_xlsx_download_escapes_formulas(client, auth, db, first_year):
    second = scorecard.copy_as_next_year(db, first_year)
    matrix = next(q for q in second.questions if q.type == "matrix")
    matrix.settings = {"rows": [{"value": "r1", "label": '=HYPERLINK("http://x")'}]}
    second.status = ConsultationStatus.CLOSED
    db.flush()
    auth.login(factories.user("jog"))
    data = client.get(f"/scorecard/{second.id}/year-on-year.xlsx").data
    cells = [
        c
        for row in load_workbook(io.BytesIO(data))["Year on year"].iter_rows(values_only=True)
        for c in row
    ]
    assert """'=HYPERLINK("http://x")""" in cells
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)


def test_nominations_form_keeps_what_was_typed_and_says_what_is_wrong(client, auth, db, first_year):
    auth.login(factories.user("officer", first_year.organisation))
    response = client.post(
        f"/scorecard/{first_year.id}/nominations", data={"n_o1": "forty", "n_o2": "12"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Error:" in page
    assert "Enter the number of staff Craigmuir Council nominated, like 25" in page
    assert 'value="forty"' in page
    assert 'value="12"' in page
    assert db.scalars(select(Nomination)).all() == []
    ok = client.post(f"/scorecard/{first_year.id}/nominations", data={"n_o1": "40", "n_o2": ""})
    assert ok.status_code == 302
    assert scorecard.nominations(db, first_year.id) == {"o1": 40}


def test_nominations_from_a_csv_file(client, auth, db, first_year):
    auth.login(factories.user("officer", first_year.organisation))
    data = b'Organisation,Nominated\nCraigmuir Council,40\nNHS Craigmuir,"1,200"\n'
    response = client.post(
        f"/scorecard/{first_year.id}/nominations/file",
        data={"file": (io.BytesIO(data), "nominated.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert scorecard.nominations(db, first_year.id) == {"o1": 40, "o2": 1200}
    bad = client.post(
        f"/scorecard/{first_year.id}/nominations/file",
        data={"file": (io.BytesIO(b"Leith Council,3\n"), "nominated.csv")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400
    assert "not options of the survey" in bad.get_data(as_text=True)


def test_an_officer_chooses_which_survey_this_follows_and_circles_are_refused(
    client, auth, db, first_year
):
    second = factories.consultation(first_year.organisation, status=ConsultationStatus.CLOSED)
    services.add_question(
        db,
        second,
        type="matrix",
        title="How far do you agree?",
        settings={"rows": [{"value": "r1", "label": "A"}]},
    )
    auth.login(factories.user("officer", first_year.organisation))
    form = client.get(f"/scorecard/{second.id}/follows").get_data(as_text=True)
    assert "Partnership Assessment Scorecard 2025" in form
    assert (
        client.post(
            f"/scorecard/{second.id}/follows", data={"previous": str(first_year.id)}
        ).status_code
        == 302
    )
    db.refresh(second)
    assert second.previous_id == first_year.id
    # The first year cannot now follow the second.
    circle = client.post(f"/scorecard/{first_year.id}/follows", data={"previous": str(second.id)})
    assert circle.status_code == 400
    assert "Choose one of the earlier surveys listed" in circle.get_data(as_text=True)
    db.refresh(first_year)
    assert first_year.previous_id is None
    missing = client.post(f"/scorecard/{second.id}/follows", data={})
    assert "Choose the survey this one follows, or None" in missing.get_data(as_text=True)


def test_who_may_see_and_change_the_scorecard(client, auth, db, first_year):
    assert client.get(f"/scorecard/{first_year.id}").status_code == 302  # sign in first
    auth.login(factories.user("resident"))
    assert client.get(f"/scorecard/{first_year.id}").status_code == 403
    auth.logout()
    auth.login(factories.user("officer"))  # another partner's officer: may read, not change
    assert client.get("/scorecard/").status_code == 200
    assert client.get(f"/scorecard/{first_year.id}").status_code == 200
    assert client.get(f"/scorecard/{first_year.id}/nominations").status_code == 403
    assert client.post(f"/scorecard/{first_year.id}/next-year").status_code == 403
    auth.logout()
    auth.login(factories.user("jog"))
    index = client.get("/scorecard/").get_data(as_text=True)
    assert "Partnership Assessment Scorecard 2025" in index
    assert client.get(f"/scorecard/{first_year.id}/nominations").status_code == 403
    draft = scorecard.copy_as_next_year(db, first_year)
    assert client.get(f"/scorecard/{draft.id}").status_code == 404  # drafts: their officers only
    assert draft.title not in client.get(f"/scorecard/{first_year.id}").get_data(as_text=True)


def test_next_year_title():
    assert scorecard.next_year_title("Scorecard 2025") == "Scorecard 2026"
    assert scorecard.next_year_title("Scorecard 2025 to 2026") == "Scorecard 2026 to 2027"
    assert scorecard.next_year_title("Scorecard") == "Scorecard (next year)"


def test_the_demo_has_two_years_with_some_changes_significant_and_some_not(
    app, client, db, monkeypatch
):
    from engage.demo import seed

    monkeypatch.setattr(seed.findings, "dispatch", lambda session, celery, runs: None)
    with app.app_context():
        seed.run()
    first, second = db.scalars(
        select(Consultation)
        .where(Consultation.title.like("Partnership Assessment Scorecard 20%"))
        .order_by(Consultation.id)
    ).all()
    assert second.previous_id == first.id
    assert first.status == second.status == ConsultationStatus.CLOSED
    client.post(
        "/sign-in", data={"email": "jog@craigmuir.example.org", "password": seed.DEMO_PASSWORD}
    )
    page = client.get(f"/scorecard/{second.id}").get_data(as_text=True)
    statements = page.split('id="statements"')[1]
    assert statements.count("▲") == 3  # joint working got better
    assert statements.count("▼") == 1  # support got worse
    assert statements.count("No significant change") == 14
    assert "Fewer than 10" in page  # the college's few staff


def test_next_years_nominations_form_shows_last_years_numbers(client, auth, db, first_year):
    scorecard.save_nominations(db, first_year, {"o1": 38, "o2": 11})
    second = scorecard.copy_as_next_year(db, first_year)
    auth.login(factories.user("officer", first_year.organisation))
    page = client.get(f"/scorecard/{second.id}/nominations").get_data(as_text=True)
    assert "2025: 38" in page
    assert "2025: 11" in page
