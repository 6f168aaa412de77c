"""The findings report's files carry the figures the findings page shows: choice counts, theme
sizes and shares, the themes-by-group cells and the choice results by each group the page
offers, scraped from the page and looked for in the HTML report, the XLSX workbook and the
PDF's text. Run on the demo's closed consultation (seeded,
analysed and curated as in `make run`) and on a consultation with the machine's themes only."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from engage.demo import seed
from surveys.models import Consultation
from tests import factories
from tests.worker.test_reports import ARTIFACTS, analysed, build  # noqa: F401 - fixture

CHOICES = re.compile(r"^Answers to question (\d+)$")
THEMES = re.compile(
    r"^(?:Themes|Codebook themes|Themes reviewed by officers) in the answers to question (\d+)$"
)
GROUPS = re.compile(r"^Question (\d+) themes by: (.+)$")
CHOICE_GROUPS = re.compile(r"^Question (\d+) answers by: (.+)$")


class Tables(HTMLParser):
    """Every table of a page: its caption and its rows of cell texts (header cells included)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._caption: list[str] | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag == "table":
            self.tables.append(("", []))
        elif tag == "caption":
            self._caption = []
        elif tag == "span" and "govuk-visually-hidden" in classes:
            self._skip += 1
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "caption" and self._caption is not None:
            text = " ".join("".join(self._caption).split())
            self.tables[-1] = (text, self.tables[-1][1])
            self._caption = None
        elif tag == "span" and self._skip:
            self._skip -= 1
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row:
                self.tables[-1][1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._skip:
            return
        if self._caption is not None:
            self._caption.append(data)
        elif self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> list[tuple[str, list[list[str]]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def on_screen(html: str) -> dict:
    """{("choice", q): {answer: count}, ("themes", q): {label: (size, "NN%")},
    ("groups", q, by): [(group, theme, cell text)], ("choice_groups", q, by): [(group, answer,
    cell text)]} from the findings page."""
    found: dict = {}
    for caption, rows in tables(html):
        if m := CHOICES.match(caption):
            found[("choice", int(m[1]))] = {r[0]: int(r[1]) for r in rows[1:]}
        elif m := THEMES.match(caption):
            header = rows[0]
            size_at, share_at = (
                header.index("Answers"),
                next(i for i, h in enumerate(header) if h.startswith("Share")),
            )
            found[("themes", int(m[1]))] = {
                r[0]: (int(r[size_at]), r[share_at].split()[0]) for r in rows[1:]
            }
        elif (m := GROUPS.match(caption)) or (m := CHOICE_GROUPS.match(caption)):
            themes = rows[0][2:]
            kind = "groups" if GROUPS.match(caption) else "choice_groups"
            found[(kind, int(m[1]), m[2])] = [
                (r[0], theme, cell)
                for r in rows[1:]
                for theme, cell in zip(themes, r[2:], strict=True)
                if cell[:1].isdigit()
            ]
    return found


def pdf_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    return " ".join(text.split())


def save_pages(pdf: bytes, name: str, pages: int = 12) -> None:
    """The PDF and its pages as PNG under test-artifacts/reports/, to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
    document = pdfium.PdfDocument(pdf)
    for number in range(min(pages, len(document))):
        document[number].render(scale=1.2).to_pil().save(ARTIFACTS / f"{name}-page{number + 1}.png")


@pytest.fixture
def demo(app, db, monkeypatch):
    monkeypatch.setattr(seed.findings, "dispatch", lambda session, celery, runs: None)
    with app.app_context():
        seed.run()
    return db.scalar(select(Consultation).where(Consultation.slug == "what-matters-most"))


def check_report_matches_the_page(app, client, auth, db, item, name):
    auth.login(factories.user(role="jog"))
    page = client.get(f"/findings/{item.id}").get_data(as_text=True)
    screen = on_screen(page)
    choices = {k: v for k, v in screen.items() if k[0] == "choice"}
    themes = {k: v for k, v in screen.items() if k[0] == "themes"}
    groups = {k: v for k, v in screen.items() if k[0] == "groups"}
    assert choices, "the page shows choice results"
    assert themes, "the page shows themes"
    # Choice results by group: the page shows one group at a time, chosen in its form.
    form = page.split('id="by"', 1)[1].split("</select>", 1)[0]
    offered = re.findall(r'<option value="([a-z_]+)"', form)
    assert "channel" in offered
    choice_groups = {}
    for by in offered:
        shown = on_screen(client.get(f"/findings/{item.id}?by={by}").get_data(as_text=True))
        choice_groups |= {k: v for k, v in shown.items() if k[0] == "choice_groups"}
    assert choice_groups, "the page shows choice results by group"
    screen |= choice_groups

    report = build(app, db, item)
    assert report.status == "succeeded", report.error

    # The web page report: the same tables, with the same figures.
    in_report = on_screen(report.html.decode())
    for key, counts in choices.items():
        assert in_report[key] == counts, key
    for key, sizes in themes.items():
        assert {k: v for k, v in in_report[key].items() if k in sizes} == sizes, key
    # A table by group is printed only when it has something to show (two groups or more with
    # a figure other than zero); one left out is named in a "Not shown" line, and a printed one
    # drops only the groups nobody was in.
    printed: dict = {}
    for key, cells in (groups | choice_groups).items():
        if key not in in_report:
            with_figures = {group for group, _, text in cells if not text.startswith("0")}
            assert len(with_figures) < 2, ("left out but has something to show", key)
            assert "Not shown: breakdowns by" in report.html.decode(), key
            continue
        assert set(in_report[key]) <= set(cells), key
        assert all(text.startswith("0") for _, _, text in set(cells) - set(in_report[key])), key
        printed[key] = in_report[key]

    # The workbook: choice counts, theme sizes and shares, and every shown group cell.
    book = load_workbook(io.BytesIO(report.xlsx))
    xlsx_choices = {
        (r[0], r[2]): r[3] for r in book["Choice results"].iter_rows(min_row=2, values_only=True)
    }
    for (_, number), counts in choices.items():
        for label, n in counts.items():
            assert xlsx_choices[(number, label)] == n, (number, label)
    xlsx_themes = {
        (r[0], r[2]): (r[4], r[5]) for r in book["Themes"].iter_rows(min_row=2, values_only=True)
    }
    for (_, number), sizes in themes.items():
        for label, (size, share) in sizes.items():
            got_size, got_share = xlsx_themes[(number, label)]
            assert got_size == size, (number, label)
            assert f"{got_share * 100:.0f}%" == share, (number, label)
    xlsx_groups = {
        (r[0], r[1], r[2], r[4]): (r[5], r[6])
        for r in book["Themes by group"].iter_rows(min_row=2, values_only=True)
    }
    xlsx_choice_groups = {
        (r[0], r[1], r[2], r[4]): (r[5], r[6])
        for r in book["Choice results by group"].iter_rows(min_row=2, values_only=True)
    }
    for found, in_book in ((groups, xlsx_groups), (choice_groups, xlsx_choice_groups)):
        for (_, number, by), cells in found.items():
            for group, theme, text in cells:
                count, share = in_book[(number, by, group, theme)]
                expected = f"{count} ({share * 100:.0f}%)" if share is not None else f"{count}"
                assert text.split(" More")[0].split(" Fewer")[0] == expected, (number, by, group)

    # The PDF's text: each figure as the tables print it.
    text = pdf_text(report.pdf)
    for counts in choices.values():
        for label, n in counts.items():
            assert re.search(rf"{re.escape(' '.join(label.split()))} {n}(?!\d)", text), label
    for sizes in themes.values():
        for label, (size, share) in sizes.items():
            assert f"{size} {share}" in text, (label, size, share)
    for cells in printed.values():
        for _, _, cell in cells:
            assert cell.split(" More")[0].split(" Fewer")[0] in text, cell
    save_pages(report.pdf, name)
    return screen


def test_the_demo_report_carries_the_figures_on_screen(app, client, auth, db, demo):
    screen = check_report_matches_the_page(app, client, auth, db, demo, "findings-demo")
    assert any(key[0] == "groups" for key in screen), "curated themes are broken down by group"
    by_area = [key for key in screen if key[0] == "choice_groups" and key[2].startswith("Area")]
    assert by_area, "choice results are broken down by area"


def test_a_machine_themes_report_carries_the_figures_on_screen(app, client, auth, db, analysed):  # noqa: F811
    check_report_matches_the_page(app, client, auth, db, analysed, "findings-machine")
