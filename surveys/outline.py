"""The survey as the builder shows it: pages in order, questions numbered, and every routing rule
and condition in plain words ("If 'No', go to page 4: Your area")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from surveys import services
from surveys.models import Consultation, Page, Question
from surveys.routing import END, ROUTABLE_TYPES, questions_on


def page_id_of(target: Any) -> int | None:
    """A route's target as a page id (routes saved as JSON may hold it as text), else None."""
    if isinstance(target, int):
        return target
    return int(target) if isinstance(target, str) and target.isdigit() else None


def pages_of(consultation: Consultation) -> list[Page]:
    return sorted(consultation.pages, key=lambda p: p.position)


def page_label(page: Page) -> str:
    """'page 4: Your area', or 'page 4' for a page without a title."""
    return f"page {page.position}: {page.title}" if page.title else f"page {page.position}"


def page_heading(page: Page) -> str:
    """'Page 4: Your area', for headings and lists."""
    label = page_label(page)
    return label[0].upper() + label[1:]


def later_pages(consultation: Consultation, question: Question) -> list[Page]:
    """The pages a routing rule on this question may send a person to."""
    return [p for p in pages_of(consultation) if p.position > question.page_position]


def condition_sources(consultation: Consultation, question: Question) -> list[Question]:
    """The questions a show-if condition on this question may depend on."""
    return [
        q
        for q in consultation.questions
        if q.type in ROUTABLE_TYPES and q.page_position < question.page_position
    ]


def quoted(labels: Sequence[str]) -> str:
    parts = [f"'{label}'" for label in labels]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def describe_route(
    question: Question, value: str, target: Any, pages: Mapping[int, Page], label: str = ""
) -> str:
    """'If 'No', go to page 4: Your area' (or 'go to the end')."""
    label = label or question.option_label(value)
    if target == END:
        return f"If '{label}', go to the end"
    page_id = page_id_of(target)
    page = pages.get(page_id) if page_id is not None else None
    return f"If '{label}', go to {page_label(page) if page else 'a page that was deleted'}"


def describe_routes(question: Question, pages: Mapping[int, Page]) -> list[str]:
    order = [o["value"] for o in question.options]
    routes = sorted(
        question.routes.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99
    )
    return [describe_route(question, value, target, pages) for value, target in routes]


def describe_condition(
    question: Question, source: Question | None, labels: Mapping[str, str] | None = None
) -> str:
    """'Asked only if the answer to 'Do you drive?' is 'Yes' or 'Sometimes''."""
    rule = question.show_if or {}
    if source is None:
        return "Asked only if a question that was removed had a certain answer"
    names = [(labels or {}).get(v) or source.option_label(v) for v in rule.get("values", [])]
    verb = "includes" if source.type == "multiple_choice" else "is"
    return f"Asked only if the answer to '{source.title}' {verb} {quoted(names)}"


@dataclass
class QuestionRow:
    question: Question
    number: int | None  # information text has none
    first: bool
    last: bool
    rules: list[str] = field(default_factory=list)
    condition: str | None = None


@dataclass
class PageRow:
    page: Page
    label: str
    first: bool
    last: bool
    questions: list[QuestionRow] = field(default_factory=list)


def outline(consultation: Consultation) -> list[PageRow]:
    """The survey grouped by page, with question numbers and every rule in plain words."""
    pages = pages_of(consultation)
    by_page_id = {p.id: p for p in pages}
    by_id = {q.id: q for q in consultation.questions}
    rows: list[PageRow] = []
    numbers = services.question_numbers(consultation)
    for n, page in enumerate(pages):
        row = PageRow(page, page_heading(page), n == 0, n == len(pages) - 1)
        mine = questions_on(consultation, page)
        for i, question in enumerate(mine):
            condition = None
            if question.show_if:
                source_id = question.show_if.get("question_id")
                source = by_id.get(source_id) if source_id is not None else None
                condition = describe_condition(question, source)
            row.questions.append(
                QuestionRow(
                    question,
                    numbers.get(question.id),
                    i == 0,
                    i == len(mine) - 1,
                    describe_routes(question, by_page_id),
                    condition,
                )
            )
        rows.append(row)
    return rows
