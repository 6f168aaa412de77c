"""Asking for a findings report and downloading it: signed-in officers and JOG members only.
Then what the report prints: only the breakdowns with something to show, and one line saying
which were left out and why."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
from sqlalchemy import select

from analysis.breakdowns import breakdown
from engage.demo import seed
from engage.findings.breakdowns import AttributeBreakdown, labelled
from engage.findings.models import RunStatus
from engage.reports import build, findings_report
from engage.reports import services as reports
from engage.reports.charts import bar_chart
from engage.reports.models import Report
from surveys import equalities, population
from surveys.models import Consultation
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


OPTIONS = {"o1": "Buses", "o2": "Trains"}


def by_group(title: str, key: str, sizes: dict[str, int]) -> AttributeBreakdown:
    """A question's two answers by an attribute: each group's people split between them."""
    chosen, values = [], []
    for group, n in sizes.items():
        for i in range(n):
            chosen.append({"o1" if i % 2 else "o2"})
            values.append(group)
    table = breakdown(chosen, values, themes=list(OPTIONS), groups=list(sizes), attribute=key)
    return AttributeBreakdown(title, table, labelled({g: g.title() for g in sizes}), OPTIONS)


def report_of(tables: list[AttributeBreakdown], who_took_part=None) -> str:
    counts = [("Buses", 20), ("Trains", 20)]
    question = findings_report.QuestionFinding(
        number=1,
        title="How do you travel?",
        free_text=False,
        counts=counts,
        answered=40,
        chart=bar_chart(counts, title="answers to question 1", base=40),
        choice_groups=tables,
    )
    data = findings_report.FindingsData(
        title="Getting about",
        summary="",
        status="closed",
        opens_at=None,
        closes_at=None,
        responses=40,
        channels=[],
        who_took_part=who_took_part,
        questions=[question],
        we_asked="",
        you_said="",
        we_did="",
        partnership="Test Partnership",
    )
    return findings_report.render_html(data)


def test_a_breakdown_whose_groups_are_all_hidden_is_left_out_and_named(app):
    age = by_group("What is your age?", "age_band", {"16-24": 4, "25-34": 6, "35-44": 3})
    channel = by_group(
        "How people responded", "channel", {"hub": 30, "paper": 24, "phone": 0, "event": 0}
    )
    assert all(g.respondents is None for g in age.breakdown.groups)
    with app.app_context():
        html = report_of([age, channel])
    assert "answers by: What is your age?" not in html
    assert "Not shown: breakdowns by age, because no group had 10 or more people." in html
    # Two groups of 10 or more: printed, without the channels nobody used.
    assert "Question 1 answers by: How people responded" in html
    table = html.split("answers by: How people responded", 1)[1].split("</table>", 1)[0]
    assert [name for name in ("Hub", "Paper", "Phone", "Event") if f">{name}<" in table] == [
        "Hub",
        "Paper",
    ]
    assert "because" not in html.split("answers by: How people responded", 1)[1]


def test_a_breakdown_with_one_group_to_show_is_left_out_with_why(app):
    one = by_group("How people responded", "channel", {"hub": 40, "paper": 0})
    protected = by_group("Residents' Panel membership", "panel", {"member": 5, "not_member": 30})
    area = by_group("Area", "locality", {"north": 30, "south": 6, "east": 4})
    # Non-members' 30 is hidden too, or the members' 5 could be worked out from the total.
    assert [g.respondents for g in protected.breakdown.groups] == [None, None]
    with app.app_context():
        html = report_of([one, protected, area])
    assert "answers by:" not in html
    assert (
        "Not shown: breakdowns by channel, because everyone was in the same group; by "
        "Residents&#39; Panel membership, because every group had fewer than 10 people or was "
        "hidden to protect a smaller one; by area, because only one group could be shown."
    ) in html


def test_who_took_part_leaves_out_empty_groups_and_questions(app):
    block = equalities.questions()
    ages = [
        "16-24",
        "25-34",
        "35-44",
        "45-54",
        "55-64",
        "65-74",
        "75-plus",
        "under-16",
        "prefer_not",
    ]
    answers = [{"age_band": ages[i % 9], "sex": "female" if i < 12 else "male"} for i in range(27)]
    tables = population.profile(block, answers, {})
    with app.app_context():
        html = report_of([], who_took_part=tables)
    who = html.split('id="who-took-part"', 1)[1].split("</section>", 1)[0]
    assert "<caption>What is your sex?</caption>" in who
    sex = who.split("What is your sex?", 1)[1].split("</table>", 1)[0]
    rows = ("Female", "12", "Male", "15", "Prefer not to say", "Not answered")
    assert [text for text in rows if f">{text}<" in sex] == ["Female", "12", "Male", "15"]
    assert "What is your age?" not in who
    assert "What is your ethnic group?" not in who
    assert (
        "Not shown: the tables for age, because no group had 10 or more people; for trans "
        "status, disability, ethnic group, sexual orientation, religion and unpaid caring, "
        "because nobody said which group they were in."
    ) in who


def test_the_demo_report_prints_a_few_pages_not_empty_tables(app, db, monkeypatch):
    monkeypatch.setattr(seed.findings, "dispatch", lambda session, celery, runs: None)
    with app.app_context():
        seed.run()
        item = db.scalar(
            select(Consultation).where(Consultation.slug == "getting-to-health-appointments")
        )
        html = findings_report.render_html(findings_report.gather(db, item))
        pdf = build.pdf_from_html(html)
    # Nobody in the demo answered the equalities questions: their tables were 16 of 22 pages.
    assert "answers by: What is your age?" not in html
    lines = [line for line in html.splitlines() if "Not shown:" in line]
    assert lines, html
    assert all("by the equalities questions, because nobody said" in line for line in lines), lines
    assert "Question 1 answers by: How people responded" in html
    assert len(pdfium.PdfDocument(pdf)) < 8

    # The largest: tables with a column for each of many answers go to a landscape annex, so
    # the questions read on upright pages with no landscape page between them.
    with app.app_context():
        item = db.scalar(select(Consultation).where(Consultation.slug == "what-matters-most"))
        html = findings_report.render_html(findings_report.gather(db, item))
        pdf = build.pdf_from_html(html)
    assert '<a href="#annex">Annex: tables by group</a>' in html
    main, annex = html.split('<h2 id="annex">', 1)
    wide = re.findall(r"<caption>(Question \d+ \w+ by: [^<]+)</caption>", annex)
    assert wide
    for caption in wide:
        assert f"The table “{caption}” has a column for each of" in main
        assert f"<caption>{caption}</caption>" not in main
    sizes = [page.get_size() for page in pdfium.PdfDocument(pdf)]
    upright = [width < height for width, height in sizes]
    assert upright[-1] is False, "the annex is across the page"
    assert upright == sorted(upright, reverse=True), "every upright page comes before the annex"
    # 28 pages when every empty table was printed; 13-14 now, with the demo's 8 themes a question.
    assert len(sizes) <= 14


def test_a_breakdown_where_only_one_group_has_figures_to_show_is_left_out(app):
    # Paper's and events' 12 people each split 6 and 6: every cell under 10, so only the hub
    # has figures, and they have nothing to be compared with.
    channel = by_group("How people responded", "channel", {"hub": 60, "event": 12, "paper": 12})
    assert [g.respondents for g in channel.breakdown.groups] == [60, 12, 12]
    with app.app_context():
        html = report_of([channel])
    assert "answers by: How people responded" not in html
    assert (
        "Not shown: breakdowns by channel, because only one group had any figure large enough "
        "to show."
    ) in html
