"""Bar charts for reports, drawn as SVG with a text alternative that says what the chart shows.

Reports are read as web pages and as tagged PDFs, so each chart is an image with alt text
(the table beside it carries the same figures); WeasyPrint draws the SVG crisply in the PDF.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape  # escape() writes SVG text; nothing is parsed  # nosec B406

from surveys.numbers import percent

BAR = 22
GAP = 10
LABEL_WIDTH = 260
CHART_WIDTH = 640
BLUE = "#1d70b8"
INK = "#0b0c0c"
LABEL_CHARS = 36  # about 250 px of 14 px Arial, the room left of the bars


@dataclass(frozen=True)
class Chart:
    svg: str
    alt: str

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def bar_chart(
    rows: Sequence[tuple[str, int]], *, title: str, unit: str = "people", base: int = 0
) -> Chart:
    """Horizontal bars, one per (label, count), the longest scaled to the space there is.

    With `base` (the people who answered) the text alternative gives each bar's share of it.
    """
    largest = max((n for _, n in rows), default=0)
    room = CHART_WIDTH - LABEL_WIDTH - 90
    height = len(rows) * (BAR + GAP) + GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH}" height="{height}" '
        f'viewBox="0 0 {CHART_WIDTH} {height}" font-family="Arial, sans-serif" font-size="14">'
    ]
    for i, (label, n) in enumerate(rows):
        y = GAP + i * (BAR + GAP)
        width = room * n / largest if largest else 0
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end" fill="{INK}">'
            f"{escape(_short(label))}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR}" fill="{BLUE}"/>'
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 16}" fill="{INK}">{n}</text>'
        )
    parts.append("</svg>")
    described = "; ".join(
        f"{label}: {n} {unit}" + (f" ({percent(n, base)}%)" if base else "") for label, n in rows
    )
    alt = f"Bar chart, {title}. {described}." if rows else f"Bar chart, {title}: no answers."
    return Chart(svg="".join(parts), alt=alt)
