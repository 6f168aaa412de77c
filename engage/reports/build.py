"""Turning a report's gathered figures into its files, and the worker's steps around that."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Sequence
from typing import Any

from surveys.exports import to_csv, to_xlsx_book

Sheet = tuple[str, Sequence[str], Sequence[Sequence[Any]]]


def pdf_from_html(html: str) -> bytes:
    """A tagged PDF (PDF/UA-1: headings, tables and figures with their alt text in the structure
    tree, the document's language and title), so screen readers can read the Board papers.

    WeasyPrint draws HTML and SVG without a browser and writes PDF/UA; our own code could not.
    """
    import weasyprint  # deferred: only workers make PDFs

    return weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")


def csv_zip(sheets: Sequence[Sheet]) -> bytes:
    """One CSV file per table, in a ZIP, named after the table."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, (title, header, rows) in enumerate(sheets, start=1):
            name = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
            archive.writestr(f"{number:02d}-{name}.csv", to_csv(header, rows))
    return out.getvalue()


def files(
    html: str, sheets: Sequence[Sheet], progress: Callable[[int, str], None]
) -> dict[str, bytes]:
    """Every format of one report; `progress(percent, message)` is told as each is made."""
    progress(40, "Making the PDF")
    pdf = pdf_from_html(html)
    progress(80, "Writing the spreadsheet and data files")
    return {
        "html": html.encode("utf-8"),
        "pdf": pdf,
        "xlsx": to_xlsx_book(sheets),
        "csv": csv_zip(sheets),
    }
