"""The officer's response pages: paper entry, import with its report, downloads, permissions."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from surveys import exports
from surveys.models import Response
from tests import factories
from tests.surveys.survey_data import every_type


@pytest.fixture
def officer(db):
    return factories.user("officer")


@pytest.fixture
def item(db, officer):
    return factories.consultation(officer.organisation)


def stored(db, item) -> list[Response]:
    db.expire_all()
    return list(
        db.scalars(
            select(Response).where(Response.consultation_id == item.id).order_by(Response.id)
        )
    )


def urls(item) -> list[str]:
    base = f"/manage/{item.id}/responses"
    return [
        f"{base}.csv",
        f"{base}.xlsx",
        f"{base}/summary.csv",
        f"{base}/summary.xlsx",
        f"{base}/template.csv",
        f"{base}/template.xlsx",
        f"{base}/import",
        f"{base}/enter",
    ]


def test_another_partners_officer_gets_403_everywhere(client, auth, db, item):
    auth.login(factories.user("officer"))
    for url in urls(item):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/manage/{item.id}/responses/enter", data={}).status_code == 403
    data = {"file": (io.BytesIO(b"x"), "a.csv")}
    assert client.post(f"/manage/{item.id}/responses/import", data=data).status_code == 403
    assert stored(db, item) == []


def test_people_without_the_officer_role_cannot_reach_them(client, auth, db, item):
    for url in urls(item):
        assert client.get(url).status_code == 302, url  # to sign in
    auth.login(factories.user("jog", organisation_=item.organisation))
    for url in urls(item):
        assert client.get(url).status_code == 403, url


def test_a_co_owning_partner_may_use_them(client, auth, db, item):
    partner = factories.organisation()
    item.co_owners.append(partner)
    db.flush()
    auth.login(factories.user("officer", organisation_=partner))
    for url in urls(item):
        assert client.get(url).status_code == 200, url


def test_detail_page_links_to_the_response_pages(client, auth, officer, item):
    auth.login(officer)
    page = client.get(f"/manage/{item.id}").get_data(as_text=True)
    for url in urls(item):
        if "template" not in url:
            assert f'href="{url}"' in page, url


def test_entering_a_paper_response_saves_it_and_shows_a_fresh_form(client, auth, db, officer, item):
    auth.login(officer)
    url = f"/manage/{item.id}/responses/enter"
    page = client.get(url).get_data(as_text=True)
    assert "Save and enter the next" in page
    assert page.count("autofocus") == 1
    q1, q2, q3 = item.questions
    data = {
        "channel": "event",
        "entered": "0",
        "submission_token": "t" * 30,
        q1.field_name: "o2",
        q2.field_name: ["o1", "o3"],
        q3.field_name: "More benches",
    }
    response = client.post(url, data=data)
    assert response.status_code == 303
    (saved,) = stored(db, item)
    assert saved.channel == "event"
    assert {a.question_id: a.value for a in saved.answers} == {
        q1.id: "o2",
        q2.id: ["o1", "o3"],
        q3.id: "More benches",
    }
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Response 1 saved" in page
    assert "You have entered 1 response on this screen" in page
    assert 'value="event" checked' in page  # the channel is kept for the next one
    assert "More benches" not in page  # a fresh form
    assert 'name="submission_token" value="tttttttttt' not in page
    assert client.post(url, data=data).status_code == 303  # the same form sent twice
    assert len(stored(db, item)) == 1


def test_entry_errors_keep_what_was_typed(client, auth, db, officer, item):
    auth.login(officer)
    q1, q2, q3 = item.questions
    data = {
        "channel": "phone",
        q2.field_name: ["o1", "o2", "o3"],
        q3.field_name: "Keep this text",
    }
    response = client.post(f"/manage/{item.id}/responses/enter", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<title>Error: " in page
    assert f'href="#{q1.field_name}">Question 1: Select an answer' in page
    assert "Question 2: Select no more than 2 answers" in page
    assert "Keep this text" in page
    assert 'value="phone" checked' in page
    assert "autofocus" not in page  # the error summary takes the focus
    assert stored(db, item) == []


def test_entry_includes_the_equalities_block_and_stores_it(client, auth, db, officer):
    item = every_type(db, equalities=True, owner=officer.organisation)
    auth.login(officer)
    page = client.get(f"/manage/{item.id}/responses/enter").get_data(as_text=True)
    assert "About you" in page
    assert "What is your age?" in page
    assert "About your area" in page  # information text is shown as on paper
    consent = next(q for q in item.questions if q.type == "consent")
    first = next(q for q in item.questions if q.type == "single_choice")
    data = {first.field_name: "o1", consent.field_name: "yes", "eq-age_band": "25-34"}
    response = client.post(f"/manage/{item.id}/responses/enter", data=data)
    assert response.status_code == 303
    (saved,) = stored(db, item)
    assert saved.channel == "paper"
    assert saved.equalities.age_band == "25-34"
    bad = client.post(f"/manage/{item.id}/responses/enter", data={**data, "eq-sex": "unicorn"})
    assert bad.status_code == 400
    assert 'href="#eq-sex"' in bad.get_data(as_text=True)


@pytest.mark.parametrize("status", ["draft", "scheduled", "published"])
def test_entry_and_import_wait_for_an_open_or_closed_consultation(
    client, auth, db, officer, status
):
    item = factories.consultation(officer.organisation, status=status)
    auth.login(officer)
    for url in (f"/manage/{item.id}/responses/enter", f"/manage/{item.id}/responses/import"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/manage/{item.id}")
    assert client.post(f"/manage/{item.id}/responses/enter", data={}).status_code == 302


def test_late_paper_returns_are_accepted_after_closing(client, auth, db, officer):
    item = factories.consultation(officer.organisation, status="closed")
    auth.login(officer)
    q1 = item.questions[0]
    response = client.post(f"/manage/{item.id}/responses/enter", data={q1.field_name: "o1"})
    assert response.status_code == 303
    assert len(stored(db, item)) == 1


def import_file(client, item, data: bytes, name: str = "paper.csv"):
    return client.post(
        f"/manage/{item.id}/responses/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def test_importing_a_good_file_stores_it_and_says_so(client, auth, db, officer, item):
    auth.login(officer)
    header = exports.template_headers(item)
    assert header[:2] == ["Submitted", "Channel"]
    rows = [header, ["", "", "o1", "1", "", "", "Paths"], ["", "event", "o2", "", "", "", ""]]
    response = import_file(client, item, csv_bytes(rows))
    assert response.status_code == 303
    assert [r.channel for r in stored(db, item)] == ["paper", "event"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 responses imported from paper.csv" in page
    again = import_file(client, item, csv_bytes(rows))
    assert "2 responses had been imported before and were skipped" in client.get(
        again.headers["Location"]
    ).get_data(as_text=True)
    assert len(stored(db, item)) == 2


def test_a_file_with_bad_rows_shows_the_report_and_stores_nothing(client, auth, db, officer, item):
    auth.login(officer)
    header = exports.template_headers(item)
    rows = [header, ["", "", "o1"], ["", "", "Maybe"], ["", "bus", "o1"]]
    response = import_file(client, item, csv_bytes(rows))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<title>Error: " in page
    assert "2 of the 3 rows in paper.csv have problems. Nothing was imported" in page
    assert 'href="#file"' in page
    assert "Select one of the options shown" in page
    assert "Use one of these channels" in page
    assert stored(db, item) == []


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.txt", b"hello", "must be a CSV or XLSX file"),
        ("empty.csv", b"", "The selected file is empty"),
        ("wrong.csv", b"Favourite colour\r\nblue\r\n", "not questions of this consultation"),
    ],
)
def test_files_that_cannot_be_imported_say_why(client, auth, officer, item, name, data, message):
    auth.login(officer)
    response = import_file(client, item, data, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_no_file_chosen_and_a_file_too_big(client, auth, officer, item):
    auth.login(officer)
    response = client.post(f"/manage/{item.id}/responses/import", data={})
    assert "Select a CSV or XLSX file to import" in response.get_data(as_text=True)
    # Built by hand: the test client spools a large upload to a file it never closes.
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
        + b"x" * (11 * 1024 * 1024)
        + b"\r\n--b--\r\n"
    )
    big = client.post(
        f"/manage/{item.id}/responses/import",
        data=body,
        content_type="multipart/form-data; boundary=b",
    )
    assert big.status_code == 413
    assert "must be smaller than 10 MB" in big.get_data(as_text=True)


def test_downloads_are_files_with_safe_names(client, auth, db, officer, item):
    factories.response(item, {item.questions[0].id: ["o1"]})
    auth.login(officer)
    response = client.get(f"/manage/{item.id}/responses.csv")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{item.slug}-responses.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 2
    xlsx = client.get(f"/manage/{item.id}/responses/summary.xlsx")
    assert xlsx.mimetype == exports.XLSX_TYPE
    assert xlsx.data[:2] == b"PK"
