"""Rules of consultations and responses. Functions take a Session and never commit."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.errors import ConsultationNotOpen, SurveyError
from surveys.models import (
    ONLINE_CHANNELS,
    Answer,
    Channel,
    Consultation,
    ConsultationStatus,
    EqualitiesAnswers,
    Page,
    Question,
    Response,
)
from surveys.options import option_list
from surveys.questions import Parsed, get_type


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80] or "consultation"


def unique_slug(session: Session, title: str) -> str:
    base = slugify(title)
    taken = set(
        session.scalars(select(Consultation.slug).where(Consultation.slug.like(f"{base}%")))
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_consultation(
    session: Session,
    *,
    title: str,
    summary: str,
    organisation_id: int,
    opens_at: datetime | None,
    closes_at: datetime | None,
    created_by_id: int | None = None,
    slug: str | None = None,
) -> Consultation:
    check_dates(opens_at, closes_at)
    consultation = Consultation(
        slug=slug or unique_slug(session, title),
        title=title.strip(),
        summary=summary.strip(),
        organisation_id=organisation_id,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by_id=created_by_id,
        status=ConsultationStatus.DRAFT,
    )
    consultation.pages.append(Page(position=1))
    session.add(consultation)
    session.flush()
    return consultation


def check_dates(opens_at: datetime | None, closes_at: datetime | None) -> None:
    if opens_at and closes_at and closes_at <= opens_at:
        raise SurveyError("The closing date must be after the opening date")


def add_question(
    session: Session,
    consultation: Consultation,
    *,
    type: str,
    title: str,
    hint: str = "",
    required: bool = False,
    options: Sequence[str] = (),
    settings: Mapping[str, Any] | None = None,
    page: Page | None = None,
) -> Question:
    qtype = get_type(type)
    if page is None:
        page = consultation.pages[-1] if consultation.pages else add_page(session, consultation)
    choices = (
        option_list(options or getattr(qtype, "default_options", ())) if qtype.has_options else []
    )
    if qtype.has_options and len(choices) < 2:
        raise SurveyError("Give at least two different options, one on each line")
    if type == "matrix" and len((settings or {}).get("rows") or []) < 1:
        raise SurveyError("Give at least one row for the matrix, one on each line")
    question = Question(
        type=type,
        title=title.strip(),
        hint=hint.strip(),
        required=required,
        options=choices,
        settings=dict(settings or {}),
        page=page,
        page_position=page.position,
        position=1 + max((q.position for q in consultation.questions if q.page is page), default=0),
    )
    consultation.questions.append(question)
    session.flush()
    return question


def add_page(
    session: Session, consultation: Consultation, *, title: str = "", intro: str = ""
) -> Page:
    page = Page(position=len(consultation.pages) + 1, title=title.strip(), intro=intro.strip())
    consultation.pages.append(page)
    session.flush()
    return page


def renumber(consultation: Consultation) -> None:
    """Number pages 1, 2, 3..., and the questions within each page, keeping their order."""
    for n, page in enumerate(sorted(consultation.pages, key=lambda p: p.position), start=1):
        page.position = n
    consultation.pages.sort(key=lambda p: p.position)
    for page in consultation.pages:
        mine = sorted(
            (q for q in consultation.questions if q.page_id == page.id or q.page is page),
            key=lambda q: q.position,
        )
        for n, question in enumerate(mine, start=1):
            question.position, question.page_position = n, page.position
    consultation.questions.sort(key=lambda q: (q.page_position, q.position))


def question_numbers(consultation: Consultation) -> dict[int, int]:
    """Questions that take an answer, numbered from 1 in survey order.

    The same number everywhere: online (whatever routing skips), on paper, in the builder and in
    exports, so "question 5" means one question to residents, officers and analysts alike.
    """
    asked = [q for q in consultation.questions if get_type(q.type).has_input]
    return {q.id: n for n, q in enumerate(asked, start=1)}


def remove_question(session: Session, consultation: Consultation, question: Question) -> None:
    consultation.questions.remove(question)
    renumber(consultation)
    session.flush()


def open_consultation(session: Session, consultation: Consultation, *, now: datetime) -> None:
    """Open now, or schedule for the opening date if that is still to come."""
    if consultation.status != ConsultationStatus.DRAFT:
        raise SurveyError("Only a draft consultation can be opened or scheduled")
    if not consultation.questions:
        raise SurveyError("Add at least one question before opening the consultation")
    if consultation.closes_at and consultation.closes_at <= now:
        raise SurveyError("The closing date has passed: set a later closing date first")
    if consultation.opens_at and consultation.opens_at > now:
        consultation.status = ConsultationStatus.SCHEDULED
    else:
        consultation.opens_at = consultation.opens_at or now
        consultation.status = ConsultationStatus.OPEN
    session.flush()


def close_consultation(session: Session, consultation: Consultation, *, now: datetime) -> None:
    if consultation.status != ConsultationStatus.OPEN:
        raise SurveyError("Only an open consultation can be closed")
    consultation.status = ConsultationStatus.CLOSED
    consultation.closes_at = now
    session.flush()


def apply_due_dates(session: Session, *, now: datetime) -> list[Consultation]:
    """Open scheduled consultations and close open ones whose dates have come.

    Returns the consultations closed by this call, so the caller can start their analysis.
    """
    scheduled = session.scalars(
        select(Consultation).where(
            Consultation.status == ConsultationStatus.SCHEDULED, Consultation.opens_at <= now
        )
    )
    for consultation in scheduled:
        consultation.status = ConsultationStatus.OPEN
    closing = list(
        session.scalars(
            select(Consultation).where(
                Consultation.status == ConsultationStatus.OPEN, Consultation.closes_at <= now
            )
        )
    )
    for consultation in closing:
        consultation.status = ConsultationStatus.CLOSED
    session.flush()
    return closing


def is_accepting(consultation: Consultation, now: datetime) -> bool:
    """Open, and its closing time not yet reached (the tick may not have closed it yet)."""
    return consultation.status == ConsultationStatus.OPEN and not (
        consultation.closes_at and consultation.closes_at <= now
    )


def check_accepting(
    consultation: Consultation, channel: str, now: datetime, *, keyed_in: bool = False
) -> None:
    """The one rule for taking a response: people answering online must be in time; officers
    may key in paper returns or import late ones. Raises ``ConsultationNotOpen`` otherwise."""
    if channel in ONLINE_CHANNELS and not keyed_in and not is_accepting(consultation, now):
        raise ConsultationNotOpen("This consultation is not open for responses")


class FieldError(NamedTuple):
    """A message for one question, and the id of the input its error-summary link focuses."""

    question_id: Any  # a question's id, or an equalities field ("eq-age_band")
    field_id: str
    message: str


def parse_answers(
    questions: Iterable[Any], form: Mapping[str, Sequence[str]]
) -> tuple[dict[Any, Parsed], list[FieldError]]:
    """Read each question's answer from form data; collect an error per field that needs one.

    ``questions`` are ``Question`` rows, or the equalities block's questions shaped like them.
    """
    parsed: dict[Any, Parsed] = {}
    errors: list[FieldError] = []
    for question in questions:
        qtype = get_type(question.type)
        if not qtype.has_input:
            continue
        result = qtype.read(question, form)
        parsed[question.id] = result
        if result.error:
            errors.append(FieldError(question.id, qtype.error_target(question), result.error))
    return parsed, errors


def find_response(session: Session, token: str) -> Response | None:
    return session.scalar(select(Response).where(Response.submission_token == token))


def submit_response(
    session: Session,
    consultation: Consultation,
    answers: Mapping[int, Parsed],
    *,
    token: str,
    now: datetime,
    channel: str = Channel.HUB,
    equalities: Mapping[str, str] | None = None,
    tracked_link_id: int | None = None,
    keyed_in: bool = False,
) -> Response:
    """Store one response: the only writer of responses, their answers and equalities rows
    (``engage.participate.store`` has a one-statement copy for PostgreSQL, tested against this).
    A token already used returns the stored response instead of a copy.

    ``equalities`` holds the monitoring block's codes by field (see ``surveys.equalities``); it is
    stored apart from the answers, and only when the consultation asks the block.
    """
    existing = find_response(session, token)
    if existing is not None:
        return existing
    check_accepting(consultation, channel, now, keyed_in=keyed_in)
    response = Response(
        consultation_id=consultation.id,
        submission_token=token,
        submitted_at=now,
        channel=channel,
        tracked_link_id=tracked_link_id,
    )
    if consultation.equalities and equalities:
        response.equalities = EqualitiesAnswers(consultation_id=consultation.id, **equalities)
    for question in consultation.questions:
        parsed = answers.get(question.id)
        if parsed is None or parsed.is_empty:
            continue
        response.answers.append(
            Answer(question_id=question.id, value=parsed.value, text=parsed.text)
        )
    session.add(response)
    session.flush()
    return response


def response_count(session: Session, consultation_id: int) -> int:
    return response_counts(session, [consultation_id])[consultation_id]


def response_counts(session: Session, consultation_ids: Sequence[int]) -> dict[int, int]:
    """Responses per consultation, in one query for a whole list."""
    stmt = (
        select(Response.consultation_id, func.count())
        .where(Response.consultation_id.in_(consultation_ids))
        .group_by(Response.consultation_id)
    )
    counts = dict.fromkeys(consultation_ids, 0)
    counts.update({cid: n for cid, n in session.execute(stmt)})
    return counts


def choice_counts(session: Session, question: Question) -> list[tuple[str, int]]:
    """Count each option of a choice question, in the order the options are shown."""
    counts: Counter[str] = Counter()
    for value in session.scalars(select(Answer.value).where(Answer.question_id == question.id)):
        counts.update(_chosen(value))
    return [(o["label"], counts[o["value"]]) for o in question.options]


def _chosen(value: Any) -> list[Any]:
    """The options one answer chose: a matrix ({row: option}) counts each option chosen in any
    row once, a ranking ({option: rank}) the option put first."""
    if isinstance(value, dict):
        if value and all(isinstance(v, int) for v in value.values()):
            return [option for option, rank in value.items() if rank == 1]
        return sorted({str(v) for v in value.values()})
    return value if isinstance(value, list) else [value]


def free_text_answers(session: Session, question_id: int) -> list[tuple[int, str]]:
    stmt = (
        select(Answer.id, Answer.text)
        .where(Answer.question_id == question_id, Answer.text.is_not(None))
        .order_by(Answer.id)
    )
    return [(answer_id, text) for answer_id, text in session.execute(stmt) if text]
