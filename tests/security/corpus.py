"""Stored-XSS payloads and the checks that none of them became markup or a live formula.

Every payload carries the marker ``xss`` inside whatever would run or render if it escaped its
text: a script's body, an event-handler attribute, an id. The checks parse what Engage sends
(HTML with the standard library's parser, SVG with defusedxml, CSV and XLSX cell by cell) and
look for any element, attribute or formula that could only have come from a payload.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from html.parser import HTMLParser

# One vector a line; ``packed`` puts as many as fit into a field of limited length.
VECTORS = [
    '=HYPERLINK("http://xss.example","xss-formula")',  # first: formulas matter at the start
    "<script>alert('xss-script')</script>",
    "<img src=x onerror=alert('xss-img')>",
    '"><b id=xss-dq>dq</b>',
    "'><b id=xss-sq>sq</b>",
    "<svg/onload=alert('xss-svg')>",
    "<a href=\"javascript:alert('xss-js')\">link</a>",
    "{{7*7777}}${7*7777}",  # template injection: 54439 must never appear
    "</textarea></title></style><script>alert('xss-close')</script>",
    "<details open ontoggle=alert('xss-toggle')>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss-mathml')>",
    "<iframe srcdoc=\"<script>alert('xss-iframe')</script>\"></iframe>",
    "[md](javascript:alert('xss-md'))",
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
]
PAYLOAD = " ".join(VECTORS)
TEMPLATE_RESULT = str(7 * 7777)
URL_PAYLOAD = "javascript:alert('xss-url')"  # for fields that become links


def packed(limit: int | None) -> str:
    """The payload, cut at a vector boundary to fit ``limit`` characters (None: all)."""
    if limit is None:
        return PAYLOAD
    out = ""
    for vector in VECTORS:
        candidate = f"{out} {vector}" if out else vector
        if len(candidate) > limit:
            break
        out = candidate
    return out


# HTML ----------------------------------------------------------------------------------------

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcdoc"}


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self._script: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)
        if tag == "script":
            self._script = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            body = "".join(self._script)
            if "xss" in body:
                self.problems.append(f"<script> running payload text: {body[:80]!r}")
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)
        else:
            self.text.append(data)

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # Engage has none of these (GOV.UK's <details> is its own; a payload's has ontoggle).
        if tag in {"iframe", "math", "mglyph", "object", "embed"}:
            self.problems.append(f"<{tag}> element from a payload")
        if tag == "script" and not dict(attrs).get("src") and not dict(attrs).get("nonce"):
            self.problems.append("inline <script> without a nonce")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler: {value[:60]!r}")
            if "xss" in name:
                self.problems.append(f"<{tag}> attribute named {name!r} (attribute breakout)")
            if name in {"id", "class", "name", "for"} and "xss" in value:
                self.problems.append(f"<{tag} {name}={value!r}> from a payload")
            lowered = re.sub(r"[\s\x00-\x1f]", "", value).lower()
            if name in URL_ATTRIBUTES and (
                lowered.startswith("javascript:") or lowered.startswith("data:text/html")
            ):
                self.problems.append(f"<{tag} {name}={value[:60]!r}> script URL")
            if name == "srcdoc":
                self.problems.append(f"<{tag} srcdoc> from a payload")


def html_problems(html: str) -> list[str]:
    """What in this HTML could only have come from a payload (empty when all is text)."""
    parser = _Markup()
    parser.feed(html)
    parser.close()
    text = "".join(parser.text)
    if TEMPLATE_RESULT in text:
        parser.problems.append(f"template expression evaluated ({TEMPLATE_RESULT} shown)")
    return parser.problems


def shows_payload(html: str) -> bool:
    """Whether the page shows some payload as text (so a clean result means something)."""
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return "xss-" in "".join(parser.text)


# SVG -----------------------------------------------------------------------------------------


def svg_problems(svg: str) -> list[str]:
    from defusedxml import ElementTree

    root = ElementTree.fromstring(svg)
    problems = []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag in {"script", "foreignObject", "iframe", "a"}:
            problems.append(f"<{tag}> in SVG")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            if local.startswith("on") or "xss" in local:
                problems.append(f"<{tag} {local}> in SVG")
            if local == "href" and value.strip().lower().startswith("javascript:"):
                problems.append(f"<{tag} href=javascript:> in SVG")
    return problems


# Spreadsheets --------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def formula_cells(cells: Iterable[object]) -> list[str]:
    """Text cells a spreadsheet would run as a formula."""
    found = []
    for cell in cells:
        if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) and not _is_number(cell):
            found.append(cell[:60])
    return found


def csv_cells(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def xlsx_cells(data: bytes) -> list[object]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    values: list[object] = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    values.append("=" + str(cell.value).lstrip("="))  # a stored formula
                else:
                    values.append(cell.value)
    return values
