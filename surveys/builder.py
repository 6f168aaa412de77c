"""The rules of editing a survey: pages, questions, and the routing rules between them.

Functions take a Session and never commit. Anything that moves or removes a page, a question or
an option also removes the routing rules it would break, and returns them described in plain
words, so the officer can be told what went and why.

Once a consultation is open people have answered it, so only wording may change then: titles,
hints and option labels. Option values stay stable through edits, so answers already given keep
their meaning.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from surveys import services
from surveys.errors import SurveyError
from surveys.models import Consultation, ConsultationStatus, Page, Question
from surveys.options import option_list
from surveys.outline import (
    describe_condition,
    describe_route,
    later_pages,
    page_id_of,
    page_label,
    pages_of,
    quoted,
)
from surveys.questions import get_type
from surveys.routing import END, ROUTABLE_TYPES, questions_on

NEXT = "next"
STRUCTURE_STATUSES = (ConsultationStatus.DRAFT, ConsultationStatus.SCHEDULED)
OPEN_MESSAGE = (
    "People have already answered this consultation, so you can only change the wording of "
    "questions, hints and options"
)


class EditError(SurveyError):
    """A change the builder refuses; ``field`` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class RemovedRule:
    """A rule that stopped making sense after a change, and was taken away."""

    question: str
    rule: str
    reason: str

    def __str__(self) -> str:
        return f"Removed from '{self.question}': {self.rule}, because {self.reason}"


# --- Reading the survey -------------------------------------------------------------------------


def structure_editable(consultation: Consultation) -> bool:
    """Pages, questions and rules may change until the consultation opens."""
    return consultation.status in STRUCTURE_STATUSES


def _require_structure(consultation: Consultation) -> None:
    if not structure_editable(consultation):
        raise EditError(OPEN_MESSAGE)


# --- Pages ---------------------------------------------------------------------------------------


def add_page(
    session: Session, consultation: Consultation, *, title: str = "", intro: str = ""
) -> Page:
    _require_structure(consultation)
    return services.add_page(session, consultation, title=title, intro=intro)


def update_page(session: Session, page: Page, *, title: str, intro: str) -> None:
    """A page's title and introduction are wording: they may change at any time."""
    page.title, page.intro = title.strip(), intro.strip()
    session.flush()


def move_page(
    session: Session, consultation: Consultation, page: Page, offset: int
) -> list[RemovedRule]:
    """Swap a page with the one before (offset -1) or after (+1) it."""
    _require_structure(consultation)
    pages = pages_of(consultation)
    here = pages.index(page)
    there = here + offset
    if offset not in (-1, 1) or not 0 <= there < len(pages):
        raise EditError(f"Page {page.position} is already the {'first' if offset < 0 else 'last'}")
    pages[here].position, pages[there].position = pages[there].position, pages[here].position
    services.renumber(consultation)
    session.flush()
    return clean_rules(session, consultation)


def delete_page(
    session: Session, consultation: Consultation, page: Page, *, move_to: Page | None = None
) -> list[RemovedRule]:
    """Delete a page; any questions on it move to the end of ``move_to`` first."""
    _require_structure(consultation)
    pages = pages_of(consultation)
    if len(pages) == 1:
        raise EditError("A survey needs at least one page, so you cannot delete its only page")
    mine = questions_on(consultation, page)
    if mine and move_to is None:
        count = f"{len(mine)} question{'s' if len(mine) > 1 else ''}"
        raise EditError(
            f"Page {page.position} still has {count} on it. Choose the page to move "
            "them to, or remove them first.",
            field="move_to",
        )
    if mine and (move_to is page or move_to not in pages):
        raise EditError("Choose another page of this survey to move the questions to", "move_to")
    if mine:
        assert move_to is not None
        start = len(questions_on(consultation, move_to))
        for n, question in enumerate(mine, start=start + 1):
            _place(question, move_to, n)
        session.flush()
    by_page_id = {p.id: p for p in pages}
    removed: list[RemovedRule] = []
    for question in consultation.questions:
        doomed = {v: t for v, t in question.routes.items() if page_id_of(t) == page.id}
        for value, target in doomed.items():
            rule = describe_route(question, value, target, by_page_id)
            removed.append(RemovedRule(question.title, rule, f"{page_label(page)} was deleted"))
        if doomed:
            question.routes = {v: t for v, t in question.routes.items() if v not in doomed}
    consultation.pages.remove(page)
    session.flush()
    services.renumber(consultation)
    session.flush()
    return removed + clean_rules(session, consultation)


# --- Questions -----------------------------------------------------------------------------------


def _place(question: Question, page: Page, position: int) -> None:
    question.page = page
    question.page_id = page.id
    question.page_position = page.position
    question.position = position


def add_question(
    session: Session, consultation: Consultation, *, page: Page | None = None, **fields: Any
) -> Question:
    """Add a question (see ``services.add_question``) while the survey's structure may change."""
    _require_structure(consultation)
    try:
        return services.add_question(session, consultation, page=page, **fields)
    except SurveyError as exc:
        raise EditError(str(exc), "rows" if "row" in str(exc) else "options") from exc


def move_question(
    session: Session, consultation: Consultation, question: Question, offset: int
) -> None:
    """Swap a question with the one before (offset -1) or after (+1) it on its page."""
    _require_structure(consultation)
    siblings = questions_on(consultation, question.page)
    here = siblings.index(question)
    there = here + offset
    if offset not in (-1, 1) or not 0 <= there < len(siblings):
        where = "first" if offset < 0 else "last"
        raise EditError(f"That question is already the {where} on its page")
    other = siblings[there]
    question.position, other.position = other.position, question.position
    services.renumber(consultation)
    session.flush()


def move_question_to_page(
    session: Session, consultation: Consultation, question: Question, page: Page
) -> list[RemovedRule]:
    """Put a question at the end of another page, removing rules the move would break."""
    _require_structure(consultation)
    if page not in consultation.pages:
        raise EditError("Choose a page of this survey", field="page_id")
    if page.id == question.page_id:
        return []
    _place(question, page, len(questions_on(consultation, page)) + 1)
    services.renumber(consultation)
    session.flush()
    return clean_rules(session, consultation)


def remove_question(
    session: Session, consultation: Consultation, question: Question
) -> list[RemovedRule]:
    """Remove a question, and the conditions of later questions that depended on it."""
    _require_structure(consultation)
    removed: list[RemovedRule] = []
    for other in consultation.questions:
        if other.show_if and other.show_if.get("question_id") == question.id:
            rule = describe_condition(other, question)
            reason = "the question it depended on was removed"
            removed.append(RemovedRule(other.title, rule, reason))
            other.show_if = None
    services.remove_question(session, consultation, question)
    return removed + clean_rules(session, consultation)


def relabel(
    existing: Sequence[Mapping[str, str]], labels: Iterable[str], prefix: str = "o"
) -> list[dict[str, str]]:
    """Options from edited labels, keeping values stable so stored answers keep their meaning.

    A label that is already an option keeps that option's value (so reordering moves values with
    their labels); a new label in the place of an option whose label is gone takes over its value
    (a reworded option); anything else gets a value never used by this question.
    """
    wanted = [o["label"] for o in option_list(labels)]
    lowered = {label.lower() for label in wanted}
    by_label = {o["label"].lower(): o["value"] for o in existing}
    values: list[str | None] = [by_label.get(label.lower()) for label in wanted]
    used = {v for v in values if v}
    for i, value in enumerate(values):
        if value is None and i < len(existing):
            old = existing[i]
            if old["value"] not in used and old["label"].lower() not in lowered:
                values[i] = old["value"]
                used.add(old["value"])
    numbers = [
        int(o["value"][len(prefix) :]) for o in existing if o["value"][len(prefix) :].isdigit()
    ]
    fresh = max(numbers, default=0)
    options = []
    for label, value in zip(wanted, values, strict=True):
        if value is None:
            fresh += 1
            value = f"{prefix}{fresh}"
        options.append({"value": value, "label": label})
    return options


def update_question(
    session: Session,
    consultation: Consultation,
    question: Question,
    *,
    title: str,
    hint: str = "",
    options: Sequence[str] | None = None,
    required: bool | None = None,
    settings: Mapping[str, Any] | None = None,
) -> list[RemovedRule]:
    """Change a question. Once the consultation is open, only its wording may change."""
    if not title.strip():
        raise EditError("Enter the question", field="title")
    qtype = get_type(question.type)
    former = {o["value"]: o["label"] for o in question.options}
    new_options = question.options
    if qtype.has_options and options is not None:
        labels = [label for label in options if label.strip()] or list(qtype.default_options)
        new_options = relabel(question.options, labels)
        if len(new_options) < 2:
            raise EditError(
                "Give at least two different options, one on each line", field="options"
            )
    if not structure_editable(consultation):
        if {o["value"] for o in new_options} != set(former):
            raise EditError(
                "People have already answered this consultation, so you can reword the options "
                "but not add or remove any",
                field="options",
            )
        question.title, question.hint, question.options = title.strip(), hint.strip(), new_options
        session.flush()
        return []
    if settings is not None:
        settings = dict(settings)
        if question.type == "matrix":
            rows = relabel(
                question.settings.get("rows") or [],
                [r["label"] for r in settings.get("rows") or []],
                prefix="r",
            )
            if not rows:
                raise EditError("Give at least one row for the matrix, one on each line", "rows")
            settings["rows"] = rows
        question.settings = settings
    if required is not None:
        question.required = required
    question.title, question.hint, question.options = title.strip(), hint.strip(), new_options
    session.flush()
    return clean_rules(session, consultation, former_labels={question.id: former})


# --- Routing rules -------------------------------------------------------------------------------


def set_routes(
    session: Session, consultation: Consultation, question: Question, routes: Mapping[str, Any]
) -> None:
    """Set where each answer sends a person: a page id, END, or NEXT (the default)."""
    _require_structure(consultation)
    if question.type not in ROUTABLE_TYPES:
        raise EditError("Only choice and rating questions can send people to another page")
    labels = {o["value"]: o["label"] for o in question.options}
    targets = {p.id: p for p in later_pages(consultation, question)}
    chosen: dict[str, Any] = {}
    for value, target in routes.items():
        if value not in labels:
            raise EditError("That answer is not one of the question's options")
        if target in (None, "", NEXT):
            continue
        if target == END:
            chosen[value] = END
            continue
        page_id = page_id_of(target)
        if page_id not in targets:
            raise EditError(
                f"'{labels[value]}' can only go to a later page, the next page or the end",
                field=f"route_{value}",
            )
        chosen[value] = page_id
    question.routes = chosen
    session.flush()


def set_condition(
    session: Session,
    consultation: Consultation,
    question: Question,
    source_id: int | None,
    values: Sequence[str] = (),
) -> None:
    """Ask ``question`` only when the answer to an earlier-page choice question is in ``values``.

    ``source_id`` None removes the condition: the question is always asked.
    """
    _require_structure(consultation)
    if source_id is None:
        question.show_if = None
        session.flush()
        return
    source = next((q for q in consultation.questions if q.id == source_id), None)
    if source is None or source.type not in ROUTABLE_TYPES:
        raise EditError("Choose a choice or rating question", field="source")
    if source.page_position >= question.page_position:
        raise EditError("Choose a question on an earlier page", field="source")
    valid = [o["value"] for o in source.options]
    if any(v not in valid for v in values):
        raise EditError("Select only the answers shown", field="values")
    chosen = [v for v in valid if v in set(values)]
    if not chosen:
        raise EditError("Select at least one answer", field="values")
    question.show_if = {"question_id": source.id, "values": chosen}
    session.flush()


def clean_rules(
    session: Session,
    consultation: Consultation,
    *,
    former_labels: Mapping[int, Mapping[str, str]] | None = None,
) -> list[RemovedRule]:
    """Remove every rule that no longer makes sense, and say which went and why.

    Routes must go from an existing option to a later page (or the end); conditions must depend
    on existing options of a choice question on an earlier page. ``former_labels`` names options
    that an edit just removed, so the description can still use their words.
    """
    former_labels = former_labels or {}
    pages = {p.id: p for p in consultation.pages}
    by_id = {q.id: q for q in consultation.questions}
    removed: list[RemovedRule] = []
    for question in consultation.questions:
        labels = {**former_labels.get(question.id, {})}
        values = {o["value"] for o in question.options}
        keep: dict[str, Any] = {}
        for value, target in question.routes.items():
            page = pages.get(page_id_of(target) or 0)
            if question.type not in ROUTABLE_TYPES:
                reason = "this kind of question cannot send people to another page"
            elif value not in values:
                reason = "that answer is no longer an option"
            elif target != END and page is None:
                reason = "that page no longer exists"
            elif page is not None and page.position <= question.page_position:
                reason = f"page {page.position} no longer comes after this question"
            else:
                keep[value] = target
                continue
            label = labels.get(value, "")
            rule = describe_route(question, value, target, pages, label=label)
            removed.append(RemovedRule(question.title, rule, reason))
        if keep != question.routes:
            question.routes = keep
        removed.extend(_clean_condition(question, by_id, former_labels))
    session.flush()
    return removed


def _clean_condition(
    question: Question,
    by_id: Mapping[int, Question],
    former_labels: Mapping[int, Mapping[str, str]],
) -> list[RemovedRule]:
    rule = question.show_if
    if not rule:
        return []
    source_id = rule.get("question_id")
    source = by_id.get(source_id) if source_id is not None else None
    labels = former_labels.get(source.id, {}) if source else {}
    if source is None:
        reason = "the question it depended on was removed"
    elif source.type not in ROUTABLE_TYPES:
        reason = "it depended on a question that is not a choice question"
    elif source.page_position >= question.page_position:
        reason = "the question it depends on is no longer on an earlier page"
    else:
        valid = [o["value"] for o in source.options]
        kept = [v for v in rule.get("values", []) if v in valid]
        if kept == rule.get("values"):
            return []
        gone = [v for v in rule.get("values", []) if v not in valid]
        described = describe_condition(question, source, labels)
        names = quoted([labels.get(v, v) for v in gone])
        if kept:
            question.show_if = {"question_id": source.id, "values": kept}
            reason = f"{names} {'is' if len(gone) == 1 else 'are'} no longer an option"
            rule_text = f'the answer {names} in the condition "{described}"'
            return [RemovedRule(question.title, rule_text, reason)]
        reason = "none of the answers it depended on is an option any more"
    described = describe_condition(question, source, labels)
    question.show_if = None
    return [RemovedRule(question.title, described, reason)]
