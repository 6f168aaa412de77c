"""A consultation's pages and questions parsed once per process, for the busiest requests.

Turning a survey's rows into ORM objects was most of what a submission still cost beyond a bare
insert (docs/benchmarks.md, "Load"). The survey changes rarely and is read on every submit, so
each process keeps it as plain read-only objects, keyed by ``Consultation.survey_version``: the
database sets a new random version on every insert, update or delete of a page or question
(triggers, migration d9a4c7e2b158), and the caller reads the version in the same query as the
consultation row. A kept survey is used only while its version is the one just read, so an
officer's edit is seen by every process on its next request; a row without a version (written
by raw SQL that skipped the model's default) is never cached.

The objects answer what the question types, routing, the stores and the survey templates read
from ``Page`` and ``Question``; the consultation's own columns (status, dates) always come
from the row just read, never from the cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from surveys.models import Consultation, Page, Question

# Consultations kept per process; the least recently used is dropped beyond it.
MAX_KEPT = 64


@dataclass(frozen=True, eq=False)
class PageSnapshot:
    """A page as ``Page`` has it (compared by identity, as ORM objects are in one session)."""

    id: int
    consultation_id: int
    position: int
    title: str
    intro: str
    questions: list[QuestionSnapshot] = field(default_factory=list)


@dataclass(frozen=True, eq=False)
class QuestionSnapshot:
    """A question as ``Question`` has it. Its JSON values are shared: read them, never change."""

    id: int
    consultation_id: int
    page_id: int
    page_position: int
    position: int
    type: str
    title: str
    hint: str
    required: bool
    options: list[Any]
    settings: dict[str, Any]
    show_if: dict[str, Any] | None
    routes: dict[str, Any]
    copied_from_id: int | None
    page: PageSnapshot

    field_name = Question.field_name
    option_label = Question.option_label


QUESTION_COLUMNS = tuple(Question.__table__.c.keys())


class Survey:
    """A consultation row with its pages and questions from the snapshot.

    Anything else (title, status, dates, slug...) is the row's, read on this request.
    """

    __slots__ = ("row", "pages", "questions")

    def __init__(
        self, row: Consultation, pages: list[PageSnapshot], questions: list[QuestionSnapshot]
    ) -> None:
        self.row = row
        self.pages = pages
        self.questions = questions

    def __getattr__(self, name: str) -> Any:
        return getattr(self.row, name)


@dataclass(frozen=True)
class _Kept:
    version: str
    pages: list[PageSnapshot]
    questions: list[QuestionSnapshot]


_kept: OrderedDict[int, _Kept] = OrderedDict()
_lock = threading.Lock()


def load(session: Session, consultation_id: int) -> tuple[str | None, _Kept]:
    """Read a survey's version, pages and questions, as snapshots, in one statement (so they
    are one consistent state of the survey, whatever an officer commits meanwhile)."""
    consultations, pages, questions = (
        Consultation.__table__,
        Page.__table__,
        Question.__table__,
    )
    stmt = (
        select(
            consultations.c.survey_version,
            pages.c.id.label("page__id"),
            pages.c.position.label("page__position"),
            pages.c.title.label("page__title"),
            pages.c.intro.label("page__intro"),
            *questions.c,
        )
        .select_from(consultations)
        .outerjoin(pages, pages.c.consultation_id == consultations.c.id)
        .outerjoin(
            questions,
            and_(
                questions.c.page_id == pages.c.id,
                questions.c.consultation_id == consultations.c.id,
            ),
        )
        .where(consultations.c.id == consultation_id)
        .order_by(pages.c.position, pages.c.id, questions.c.position, questions.c.id)
    )
    version: str | None = None
    kept_pages: dict[int, PageSnapshot] = {}
    kept_questions: list[QuestionSnapshot] = []
    for row in session.execute(stmt).mappings():
        version = row["survey_version"]
        if row["page__id"] is None:
            continue
        page = kept_pages.get(row["page__id"])
        if page is None:
            page = kept_pages[row["page__id"]] = PageSnapshot(
                row["page__id"],
                consultation_id,
                row["page__position"],
                row["page__title"],
                row["page__intro"],
            )
        if row["id"] is not None:
            question = QuestionSnapshot(**{c: row[c] for c in QUESTION_COLUMNS}, page=page)
            page.questions.append(question)
            kept_questions.append(question)
    # In survey order, as ``Consultation.questions`` sorts them.
    kept_questions.sort(key=lambda q: (q.page_position, q.position))
    return version, _Kept(version or "", list(kept_pages.values()), kept_questions)


def survey(session: Session, row: Consultation, version: str | None) -> Survey:
    """``row`` with its pages and questions, kept from an earlier request when ``version`` (read
    with ``row``, in the same query) is still theirs."""
    kept = _kept.get(row.id)
    if version is None or kept is None or kept.version != version:
        loaded_version, kept = load(session, row.id)
        if version is not None and loaded_version == version:
            with _lock:
                _kept[row.id] = kept
                while len(_kept) > MAX_KEPT:
                    _kept.popitem(last=False)
    else:
        with _lock:
            if row.id in _kept:
                _kept.move_to_end(row.id)
    return Survey(row, kept.pages, kept.questions)


def forget() -> None:
    """Drop every kept survey (tests)."""
    with _lock:
        _kept.clear()
