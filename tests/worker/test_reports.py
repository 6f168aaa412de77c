"""The report task, called directly: a findings report as a web page, a tagged PDF, XLSX and CSV."""

from __future__ import annotations

import io
import zipfile
from types import SimpleNamespace

import pikepdf
import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook

from engage.curation.runs import request_analysis
from engage.findings import services as findings
from engage.reports import services as reports
from tests import factories
from tests.conftest import ROOT
from tests.worker.corpus import ANSWERS
from worker import reports as report_tasks
from worker import tasks

ARTIFACTS = ROOT / "test-artifacts" / "reports"
PERSONAL = "Call Sam on 07700 900123 about the 14 bus"


@pytest.fixture
def analysed(app, db):
    item = factories.consultation(title='=HYPERLINK("http://x") Buses and bins')
    choice, _, free_text = item.questions
    for n, text in enumerate([*ANSWERS, PERSONAL]):
        factories.response(item, {choice.id: ["o1" if n % 3 else "o2"], free_text.id: [text]})
    run = request_analysis(db, item, trigger="officer")
    db.flush()
    with app.app_context():
        tasks.run_analysis.run(run.id)
    return item


def build(app, db, item):
    report = reports.request_findings_report(db, item, requested_by_id=None)
    db.flush()
    with app.app_context():
        report_tasks.build_report.run(report.id)
    db.expire_all()
    return report


def save_pages(pdf: bytes, name: str) -> None:
    """The PDF's first pages as PNG under test-artifacts/, to look at what readers get."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
    document = pdfium.PdfDocument(pdf)
    for number in range(min(3, len(document))):
        image = document[number].render(scale=1.2).to_pil()
        image.save(ARTIFACTS / f"{name}-page{number + 1}.png")


def structure(node, found):
    """Every structure element's type, with the alt text of figures."""
    kind = node.get("/S")
    if kind is not None:
        found.append((str(kind), str(node.get("/Alt", ""))))
    kids = node.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary):
            structure(kid, found)
    return found


def test_a_findings_report_is_built_in_every_format(app, db, analysed):
    report = build(app, db, analysed)
    assert report.status == "succeeded"
    assert report.progress == 100
    assert report.message == "Ready to download"

    html = report.html.decode()
    assert "<h1>Findings: =HYPERLINK" in html
    assert 'lang="en-GB"' in html
    assert "07700 900123" not in html  # quotes in a report are always masked
    assert "Bar chart, themes in the answers to question 3" in html

    pdf = pikepdf.open(io.BytesIO(report.pdf))
    assert pdf.Root.MarkInfo.Marked
    assert str(pdf.Root.Lang) == "en-GB"
    tags = structure(pdf.Root.StructTreeRoot, [])
    kinds = {kind for kind, _ in tags}
    assert {"/H1", "/H2", "/Table", "/TH", "/Figure"} <= kinds
    figures = [alt for kind, alt in tags if kind == "/Figure"]
    assert figures
    assert all(figures)  # every figure has its text alternative
    assert any(alt.startswith("Bar chart, answers to question 1") for alt in figures)

    book = load_workbook(io.BytesIO(report.xlsx))
    assert book.sheetnames == [
        "Choice results",
        "Themes",
        "Quotes",
        "Themes by group",
        "Choice results by group",
        "Who took part",
    ]
    themes = list(book["Themes"].iter_rows(values_only=True))
    assert themes[0][:3] == ("Question", "Question text", "Theme")
    assert any(row[2] == "Other" for row in themes[1:])
    quotes = [row[2] for row in book["Quotes"].iter_rows(min_row=2, values_only=True)]
    assert quotes
    assert not any("07700" in (q or "") for q in quotes)

    save_pages(report.pdf, "findings-report")

    archive = zipfile.ZipFile(io.BytesIO(report.csv))
    assert archive.namelist()[:2] == ["01-choice-results.csv", "02-themes.csv"]
    choices = archive.read("01-choice-results.csv").decode("utf-8-sig")
    assert choices.splitlines()[0].startswith("Question,Question text,Answer,People")


def test_formulas_in_what_officers_wrote_are_escaped_in_the_data(app, db, analysed):
    analysed.questions[0].title = "=1+1 How did you travel?"
    report = build(app, db, analysed)
    book = load_workbook(io.BytesIO(report.xlsx))
    cell = next(book["Choice results"].iter_rows(min_row=2, values_only=True))[1]
    assert cell == "'=1+1 How did you travel?"


def test_a_report_that_fails_says_why(app, db, analysed, monkeypatch):
    def broken(html: str) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr("engage.reports.build.pdf_from_html", broken)
    report = reports.request_findings_report(db, analysed, requested_by_id=None)
    db.flush()
    with app.app_context(), pytest.raises(RuntimeError):
        report_tasks.build_report.run(report.id)
    db.expire_all()
    assert report.status == "failed"
    assert report.error == "The report stopped unexpectedly (RuntimeError)."
    assert report.pdf is None


def test_the_tick_sends_a_report_the_broker_refused(app, db, monkeypatch):
    item = factories.consultation()
    report = reports.request_findings_report(db, item, requested_by_id=None)
    db.flush()
    sent = []
    monkeypatch.setitem(
        app.extensions,
        "celery",
        SimpleNamespace(
            send_task=lambda name, args, **kw: sent.append((name, args)) or SimpleNamespace(id="x")
        ),
    )
    with app.app_context():
        outcome = tasks.tick.run()
    assert ("worker.reports.build_report", [report.id]) in sent
    assert outcome["reports_sent"] == 1
    db.expire_all()
    assert report.dispatched_at is not None


def test_the_board_report_sets_evidence_and_recommendations_out_per_priority(app, db):
    from engage.curation import board

    priorities = board.seed(db)
    board.add_note(
        db,
        priorities[0],
        kind="recommendation",
        text="=Keep this priority and fund youth work",
        user_id=None,
    )
    report = reports.request_board_report(db, requested_by_id=None)
    db.flush()
    with app.app_context():
        report_tasks.build_report.run(report.id)
    db.expire_all()
    assert report.status == "succeeded"
    html = report.html.decode()
    assert "<h1>Priority-setting report for the Community Planning Partnership Board</h1>" in html
    assert priorities[0].title in html
    assert "=Keep this priority and fund youth work" in html
    assert "has not recorded a recommendation on this priority yet" in html
    pdf = pikepdf.open(io.BytesIO(report.pdf))
    figures = [alt for kind, alt in structure(pdf.Root.StructTreeRoot, []) if kind == "/Figure"]
    assert figures
    assert figures[0].startswith("Bar chart, residents whose answers raise each strategic priority")
    save_pages(report.pdf, "board-report")
    book = load_workbook(io.BytesIO(report.xlsx))
    assert book.sheetnames == ["Priorities", "Evidence", "Quotes", "Emerging issues"]
    first = next(book["Priorities"].iter_rows(min_row=2, values_only=True))
    assert first[0] == priorities[0].title
    assert first[4] == "'=Keep this priority and fund youth work"


def test_the_findings_report_uses_the_officers_approved_themes(app, db, analysed):
    from engage.curation import services as curation

    question = analysed.questions[2]
    run = findings.latest_successful_run(db, analysed.id)
    curated = curation.start(db, question, run, user_id=None)
    theme = max(curated.themes, key=lambda t: len(t.assignments))
    curation.rename(
        db, curated, theme.id, label="Getting to the hospital", description="", user_id=None
    )
    answer_id = theme.assignments[0].answer_id
    curation.mark_quote(db, curated, theme.id, answer_id, on=True, user_id=None)
    curation.approve(db, curated, user_id=None)
    db.flush()
    report = build(app, db, analysed)
    html = report.html.decode()
    assert "reviewed and approved by the partnership's officers" in html
    assert '<th scope="row">Getting to the hospital</th>' in html
    book = load_workbook(io.BytesIO(report.xlsx))
    rows = list(book["Themes"].iter_rows(min_row=2, values_only=True))
    assert ("Getting to the hospital", len(theme.assignments)) in [(r[2], r[4]) for r in rows]
