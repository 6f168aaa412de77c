"""Consultation templates: surveys written down as JSON in ``surveys/templates/``.

A definition names its pages and questions by keys and its options by their labels, so routing
(``"routes": {"Very satisfied": "priorities"}``) and conditions (``"show_if": {"question":
"heard", "values": ["Yes"]}``) read as plain words. ``build`` turns one into a draft
consultation with real ids. Definitions are checked when loaded, so a broken template fails
its test rather than an officer's click.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy.orm import Session

from surveys import services
from surveys.models import TOPICS, Consultation, Question
from surveys.options import option_list
from surveys.questions import QUESTION_TYPES, get_type
from surveys.routing import END, ROUTABLE_TYPES

FOLDER = Path(__file__).resolve().parent / "templates"
# Question types whose answer can route a person or decide whether a later question is asked.


class DefinitionError(ValueError):
    """A template file is not a valid survey; the message says where."""


@dataclass(frozen=True)
class Definition:
    key: str
    name: str
    description: str
    data: dict[str, Any]


def available(folder: Path = FOLDER) -> dict[str, Definition]:
    """Every template in the folder, by key, in name order."""
    found = [load(path) for path in sorted(folder.glob("*.json"))]
    return {d.key: d for d in sorted(found, key=lambda d: d.name)}


def load(path: Path) -> Definition:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DefinitionError(f"{path.name}: not valid JSON ({exc})") from None
    check(data, path.name)
    return Definition(data["key"], data["name"], data["description"], data)


def check(data: dict[str, Any], where: str = "template") -> None:
    """Refuse a definition that ``build`` could not turn into a working survey."""

    def fail(message: str) -> NoReturn:
        raise DefinitionError(f"{where}: {message}")

    for field in ("key", "name", "description", "title", "summary", "pages"):
        if not data.get(field):
            fail(f"missing {field!r}")
    if data.get("topic") and data["topic"] not in TOPICS:
        fail(f"unknown topic {data['topic']!r}")
    page_keys = [page.get("key") for page in data["pages"]]
    if len(set(page_keys)) != len(page_keys) or not all(page_keys):
        fail("every page needs its own key")
    seen: dict[str, tuple[int, dict[str, Any]]] = {}
    for index, page in enumerate(data["pages"]):
        if not page.get("questions"):
            fail(f"page {page['key']!r} has no questions")
        for q in page["questions"]:
            key = q.get("key")
            if not key or key in seen:
                fail(f"question key {key!r} is missing or used twice")
            if q.get("type") not in QUESTION_TYPES:
                fail(f"question {key!r} has unknown type {q.get('type')!r}")
            if not q.get("title"):
                fail(f"question {key!r} has no title")
            labels = option_labels(q)
            for label, target in (q.get("routes") or {}).items():
                if q["type"] not in ROUTABLE_TYPES or label not in labels:
                    fail(f"question {key!r} routes an option it does not have: {label!r}")
                if target != END and target not in page_keys[index + 1 :]:
                    fail(f"question {key!r} routes to {target!r}, which is not a later page")
            condition = q.get("show_if")
            if condition:
                earlier = seen.get(condition.get("question", ""))
                if earlier is None or earlier[0] >= index:
                    fail(f"question {key!r} depends on a question that is not on an earlier page")
                source = earlier[1]
                if source["type"] not in ROUTABLE_TYPES:
                    fail(f"question {key!r} depends on a question that is not a choice")
                unknown = set(condition.get("values") or []) - set(option_labels(source))
                if unknown or not condition.get("values"):
                    fail(f"question {key!r} depends on options that do not exist: {unknown}")
            seen[key] = (index, q)


def option_labels(q: dict[str, Any]) -> list[str]:
    qtype = get_type(q["type"])
    return list(q.get("options") or qtype.default_options)


def build(
    session: Session,
    definition: Definition,
    *,
    organisation_id: int,
    title: str = "",
    summary: str = "",
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    created_by_id: int | None = None,
    partners: Sequence[str] = (),
) -> Consultation:
    """A draft consultation from a template.

    ``partners`` (the partnership's organisation names) fill questions marked
    ``"options_from": "partners"``; without them the template's own options are used.
    """
    data = definition.data
    consultation = services.create_consultation(
        session,
        title=title or data["title"],
        summary=summary or data["summary"],
        organisation_id=organisation_id,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by_id=created_by_id,
    )
    consultation.topic = data.get("topic", "")
    consultation.anonymous = data.get("anonymous", True)
    consultation.equalities = data.get("equalities", False)
    consultation.other_ways = data.get("other_ways", "")
    pages = {}
    for n, spec in enumerate(data["pages"]):
        if n == 0:
            page = consultation.pages[0]
            page.title, page.intro = spec.get("title", ""), spec.get("intro", "")
        else:
            page = services.add_page(
                session, consultation, title=spec.get("title", ""), intro=spec.get("intro", "")
            )
        pages[spec["key"]] = page
    questions: dict[str, Question] = {}
    for spec in data["pages"]:
        for q in spec["questions"]:
            options = option_labels(q)
            if q.get("options_from") == "partners" and len(partners) >= 2:
                options = [*partners, *q.get("extra_options", [])]
            settings = dict(q.get("settings") or {})
            if q.get("rows"):
                settings["rows"] = option_list(q["rows"], prefix="r")
            questions[q["key"]] = services.add_question(
                session,
                consultation,
                type=q["type"],
                title=q["title"],
                hint=q.get("hint", ""),
                required=q.get("required", False),
                options=options,
                settings=settings,
                page=pages[spec["key"]],
            )
    for spec in data["pages"]:
        for q in spec["questions"]:
            question = questions[q["key"]]
            value = {o["label"]: o["value"] for o in question.options}
            question.routes = {
                value[label]: target if target == END else pages[target].id
                for label, target in (q.get("routes") or {}).items()
            }
            if q.get("show_if"):
                source = questions[q["show_if"]["question"]]
                by_label = {o["label"]: o["value"] for o in source.options}
                question.show_if = {
                    "question_id": source.id,
                    "values": [by_label[label] for label in q["show_if"]["values"]],
                }
    session.flush()
    return consultation
