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
# Question types whose answers can route or be the subject of a condition.
ROUTABLE_TYPES = ("single_choice", "rating_scale", "multiple_choice")


def chosen(question: Question, values: Values) -> list[str]:
    """The option values chosen for a question, in the order the options are listed."""
    order = {o["value"]: n for n, o in enumerate(question.options)}
    picked = [v for v in values.get(question.field_name, ()) if v in order]
    return sorted(picked, key=order.__getitem__)


def questions_on(consultation: Consultation, page: Page) -> list[Question]:
    """A page's questions in order (sorted, so it holds while the builder is moving them)."""
    mine = (q for q in consultation.questions if q.page_id == page.id)
    return sorted(mine, key=lambda q: q.position)


@dataclass
class Walk:
    """The pages a person goes through, and the questions they are asked, in order."""

    pages: list[Page] = field(default_factory=list)
    asked: list[Question] = field(default_factory=list)

    def asked_on(self, page: Page) -> list[Question]:
        return [q for q in self.asked if q.page_id == page.id]


def is_shown(question: Question, values: Values, asked: Mapping[int, Question]) -> bool:
    """Whether a question is asked, given the questions asked before it (by id)."""
    rule = question.show_if
    if not rule:
        return True
    source_id = rule.get("question_id")
    source = asked.get(source_id) if source_id is not None else None
    if source is None:  # the earlier question was not asked, so its answer cannot match
        return False
    return bool(set(chosen(source, values)) & set(rule.get("values") or ()))


def walk(consultation: Consultation, values: Values) -> Walk:
    """Follow the routing from the first page with the given answers."""
    result = Walk()
    pages = consultation.pages
    index_of = {p.id: i for i, p in enumerate(pages)}
    asked: dict[int, Question] = {}
    i = 0
    while i < len(pages):
        page = pages[i]
        shown = []
        for question in questions_on(consultation, page):
            if is_shown(question, values, asked):
                shown.append(question)
                asked[question.id] = question  # a later question on the page may depend on it
        if not shown:
            i += 1
            continue
        result.pages.append(page)
        result.asked.extend(shown)
        target = route_after(shown, values)
        if target == END:
            break
        if isinstance(target, int) and index_of.get(target, -1) > i:
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
                target: int | str = question.routes[value]  # a page id or END, from JSON
                return target
    return None


def has_input(question: Question) -> bool:
    return get_type(question.type).has_input
