"""Which pages and questions a person is asked, given the answers they have entered so far.

Answers are the raw form values by field name, as a draft keeps them (``{"q12": ["o2"]}``), so the
same rules serve the page a person is on, the check-answers page and the final submission.

- ``Question.show_if = {"question_id": 3, "values": ["o1"]}``: asked only when question 3 was
  asked and one of its chosen values is listed.
- ``Question.routes = {"o2": <page id> | "end"}``: after the page, the first question on it (in
  order) whose chosen value has a route decides where the person goes; otherwise the next page.
  Routes only ever go forward, so a walk always ends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from surveys.models import Consultation, Page, Question
from surveys.questions import get_type

Values = Mapping[str, Sequence[str]]
END = "end"


def chosen(question: Question, values: Values) -> list[str]:
    """The option values chosen for a question, ignoring empty inputs."""
    return [v for v in values.get(question.field_name, ()) if v]


def fields_of(question: Question, values: Values) -> list[str]:
    """Every form field that belongs to a question (``q7``, ``q7-other``, ``q7-day``...)."""
    prefix = question.field_name + "-"
    return [k for k in values if k == question.field_name or k.startswith(prefix)]


def questions_on(consultation: Consultation, page: Page) -> list[Question]:
    return [q for q in consultation.questions if q.page_id == page.id]


@dataclass
class Walk:
    """The pages a person goes through, and the questions they are asked, in order."""

    pages: list[Page] = field(default_factory=list)
    asked: list[Question] = field(default_factory=list)

    def asked_on(self, page: Page) -> list[Question]:
        return [q for q in self.asked if q.page_id == page.id]


def is_shown(question: Question, values: Values, asked_ids: set[int]) -> bool:
    rule = question.show_if
    if not rule:
        return True
    source = rule.get("question_id")
    if source not in asked_ids:
        return False
    by_id = {q.id: q for q in question.consultation.questions}
    source_question = by_id.get(source)
    if source_question is None:
        return True  # a rule left pointing at a deleted question asks rather than hides
    return bool(set(chosen(source_question, values)) & set(rule.get("values") or ()))


def walk(consultation: Consultation, values: Values) -> Walk:
    """Follow the routing from the first page with the given answers."""
    result = Walk()
    pages = consultation.pages
    index_of = {p.id: i for i, p in enumerate(pages)}
    asked_ids: set[int] = set()
    i = 0
    while i < len(pages):
        page = pages[i]
        shown = [q for q in questions_on(consultation, page) if is_shown(q, values, asked_ids)]
        if not shown:
            i += 1
            continue
        result.pages.append(page)
        result.asked.extend(shown)
        asked_ids.update(q.id for q in shown)
        target = route_after(shown, values)
        if target == END:
            break
        if target is not None and index_of.get(target, -1) > i:
            i = index_of[target]
        else:
            i += 1
    return result


def route_after(shown: Sequence[Question], values: Values) -> int | str | None:
    """Where the answers on a page send the person: a page id, ``END``, or None for the next."""
    for question in shown:
        if not question.routes:
            continue
        for value in chosen(question, values):
            if value in question.routes:
                return question.routes[value]
    return None


def next_page(consultation: Consultation, page: Page, values: Values) -> Page | None:
    """The page after ``page`` on this person's walk, or None when the questions are done."""
    pages = walk(consultation, values).pages
    if page in pages:
        at = pages.index(page)
        return pages[at + 1] if at + 1 < len(pages) else None
    # A page off the walk (reached through a stale link): carry on from the next page on it.
    later = [p for p in pages if p.position > page.position]
    return later[0] if later else None


def has_input(question: Question) -> bool:
    return get_type(question.type).has_input
