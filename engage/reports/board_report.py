"""The priority-setting report for the CPP Board: per strategic priority, the evidence across
consultations, the JOG's current recommendation, and the emerging issues no priority covers.

Read from the priority board (``engage.curation.board``) into plain values first, so the
database session can close before the PDF is drawn. Quotes are masked there already.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from engage.curation import board
from engage.reports.charts import Chart, bar_chart

Row = list[Any]
Sheet = tuple[str, list[str], list[Row]]


@dataclass
class EvidenceLine:
    consultation: str
    residents: int
    themes: list[str]
    quotes: list[str]


@dataclass
class PriorityLine:
    title: str
    description: str
    residents: int
    evidence: list[EvidenceLine]
    recommendation: str | None
    recommended_on: Any
    comments: int


@dataclass
class BoardData:
    partnership: str
    priorities: list[PriorityLine]
    emerging: list[tuple[str, int, str]]  # (theme, people, where it came up)
    chart: Chart | None = None
    notes: list[str] = field(default_factory=list)


def gather(session: Session) -> BoardData:
    rows, emerging = board.board(session)
    lines = []
    for row in rows:
        latest = row.recommendations[0] if row.recommendations else None
        lines.append(
            PriorityLine(
                title=row.priority.title,
                description=row.priority.description,
                residents=row.residents,
                evidence=[
                    EvidenceLine(e.consultation.title, e.residents, list(e.themes), list(e.quotes))
                    for e in row.evidence
                ],
                recommendation=latest.text if latest else None,
                recommended_on=latest.at if latest else None,
                comments=len(row.comments),
            )
        )
    data = BoardData(
        partnership=current_app.config["PARTNERSHIP_NAME"],
        priorities=lines,
        emerging=[
            (
                e.label,
                e.size,
                "; ".join(f"{s.consultation.title}, question {s.number}" for s in e.sources),
            )
            for e in emerging
        ],
    )
    if lines:
        data.chart = bar_chart(
            [(line.title, line.residents) for line in lines],
            title="residents whose answers raise each strategic priority",
            unit="residents",
        )
    return data


def render_html(data: BoardData) -> str:
    return current_app.jinja_env.get_template("reports/board.html").render(data=data)


def sheets(data: BoardData) -> list[Sheet]:
    priorities: list[Row] = []
    evidence: list[Row] = []
    quotes: list[Row] = []
    for line in data.priorities:
        priorities.append(
            [line.title, line.description, line.residents, len(line.evidence), line.recommendation]
        )
        for item in line.evidence:
            evidence.append([line.title, item.consultation, item.residents, "; ".join(item.themes)])
            quotes.extend([line.title, item.consultation, text] for text in item.quotes)
    return [
        (
            "Priorities",
            ["Priority", "Description", "Residents", "Consultations", "Recommendation"],
            priorities,
        ),
        ("Evidence", ["Priority", "Consultation", "Residents", "Themes"], evidence),
        ("Quotes", ["Priority", "Consultation", "Quote (personal details removed)"], quotes),
        (
            "Emerging issues",
            ["Theme", "People", "Where it came up"],
            [list(item) for item in data.emerging],
        ),
    ]
