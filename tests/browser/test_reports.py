"""A JOG member makes a findings report, downloads the PDF, and the report's web page passes
axe-core as a document of its own."""

from __future__ import annotations

from sqlalchemy import select

from engage.db import get_session
from engage.reports.models import Report
from tests.browser import scenario
from tests.browser.test_journeys import sign_in
from worker import reports as report_tasks


def build_waiting_reports(live_app) -> None:
    """Stands in for the worker process, which the browser tests do not start."""
    with live_app.app_context():
        ids = get_session().scalars(select(Report.id).where(Report.status == "queued")).all()
    for report_id in ids:
        with live_app.app_context():
            report_tasks.build_report.run(report_id)


def test_jog_member_makes_and_downloads_a_findings_report(make_page, base_url, live_app):
    page, axe = make_page(width=1280)
    sign_in(page, base_url, scenario.JOG)
    page.goto(f"{base_url}/findings/")
    page.click("text=Getting about Craigmuir")
    page.click("text=Make a findings report")
    assert page.inner_text("h1") == "Findings report"
    axe.check("reports")
    page.click("button:has-text('Make a new report')")
    assert "% done" in page.inner_text("main")
    axe.check("report-waiting")

    build_waiting_reports(live_app)
    page.reload()
    assert "Ready to download" in page.inner_text("main")
    axe.check("report-ready")
    with page.expect_download() as caught:
        page.click("text=PDF (tagged, for screen readers)")
    download = caught.value
    assert download.suggested_filename == "findings-getting-about-craigmuir.pdf"
    assert download.path().read_bytes()[:5] == b"%PDF-"

    with page.expect_download() as caught:
        page.click("text=Web page")
    html = caught.value.path().read_text(encoding="utf-8")
    report_page, report_axe = make_page(width=1280)
    report_page.set_content(html)
    assert report_page.title() == "Findings: Getting about Craigmuir – Test Partnership"
    report_axe.check("findings-report-document")
    report_page.screenshot(path=str(scenario_artifact("findings-report-html.png")), full_page=True)


def scenario_artifact(name: str):
    from tests.browser.conftest import SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS / name
