"""Asking for a findings report and downloading it: signed-in officers and JOG members only."""

from __future__ import annotations

from engage.findings.models import RunStatus
from engage.reports import services as reports
from engage.reports.models import Report
from tests import factories


def finished_report(item) -> Report:
    report = reports.request_findings_report(factories.session(), item, requested_by_id=None)
    report.status = RunStatus.SUCCEEDED
    report.html = b"<html>report</html>"
    report.pdf = b"%PDF-1.7 report"
    report.xlsx = b"xlsx"
    report.csv = b"zip"
    factories.session().flush()
    return report


def test_a_jog_member_asks_for_a_report_and_is_shown_its_progress(client, auth, db):
    item = factories.consultation(title="Buses and bins")
    auth.login(factories.user(role="jog"))
    page = client.get(f"/reports/consultations/{item.id}").get_data(as_text=True)
    assert "Make a new report" in page
    response = client.post(f"/reports/consultations/{item.id}", data={})
    assert response.status_code == 302
    report = db.query(Report).one()
    assert report.title == "Findings: Buses and bins"
    assert response.headers["Location"].endswith(f"/reports/{report.id}")
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "% done" in page
    assert "Download" not in page
    status = client.get(f"/reports/{report.id}/status").get_json()
    assert status["finished"] is False
    assert client.get(f"/reports/{report.id}/download/pdf").status_code == 404


def test_a_finished_report_downloads_as_files_never_as_pages(client, auth, db):
    item = factories.consultation(title="Buses & bins")
    report = finished_report(item)
    auth.login(factories.user(role="officer", organisation_=item.organisation))
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "PDF (tagged, for screen readers)" in page
    response = client.get(f"/reports/{report.id}/download/pdf")
    assert response.data == b"%PDF-1.7 report"
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="findings-buses-bins.pdf"'
    )
    html = client.get(f"/reports/{report.id}/download/html")
    assert html.headers["Content-Disposition"].startswith("attachment;")
    assert html.headers["Cache-Control"] == "private, no-store"
    assert client.get(f"/reports/{report.id}/download/exe").status_code == 404


def test_reports_are_not_for_residents_or_the_public(client, auth, db):
    report = finished_report(factories.consultation())
    for url in (f"/reports/{report.id}", f"/reports/{report.id}/download/pdf"):
        assert client.get(url).status_code == 302  # to sign in
    auth.login(factories.user(role="resident"))
    for url in (f"/reports/{report.id}", f"/reports/{report.id}/download/pdf"):
        assert client.get(url).status_code == 403


def test_no_report_of_a_draft(client, auth, db):
    item = factories.consultation(status="draft")
    auth.login(factories.user(role="officer", organisation_=item.organisation))
    assert client.get(f"/reports/consultations/{item.id}").status_code == 404
    assert client.post(f"/reports/consultations/{item.id}", data={}).status_code == 404


def test_a_jog_member_asks_for_the_board_report(client, auth, db):
    auth.login(factories.user(role="jog"))
    page = client.get("/reports/board").get_data(as_text=True)
    assert "Priority-setting report" in page
    response = client.post("/reports/board", data={})
    report = db.query(Report).one()
    assert report.kind == "board"
    assert response.headers["Location"].endswith(f"/reports/{report.id}")
    auth.logout()
    auth.login(factories.user(role="resident"))
    assert client.get("/reports/board").status_code == 403
