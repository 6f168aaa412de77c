"""The scorecard's rules: series of yearly surveys, nominations, and the year-on-year figures.

Functions take a Session and never commit. The statistics are ``surveys.trends``; this module
reads what they need from the database.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from engage.scorecard.models import Nomination
from surveys import lifecycle, trends
from surveys.errors import SurveyError
from surveys.models import (
    Answer,
    Consultation,
    ConsultationStatus,
    Organisation,
    Question,
    Response,
)

ALL = ""  # the partner filter's value for everyone
MAX_NOMINATED = 100_000
# Statuses whose answers can be read: a draft or a scheduled survey has none.
ANSWERED = (
    ConsultationStatus.OPEN,
    ConsultationStatus.CLOSED,
    ConsultationStatus.PUBLISHED,
    ConsultationStatus.ARCHIVED,
)


def has_statements(consultation: Consultation) -> bool:
    """Whether the survey asks matrix statements, so a year-on-year page makes sense."""
    return any(q.type == "matrix" for q in consultation.questions)


def year_label(consultation: Consultation) -> str:
    """The year a survey is known by: when it closed, opened or was made."""
    when = consultation.closes_at or consultation.opens_at or consultation.created_at
    return str(when.year) if when else consultation.title


def scorecards(session: Session) -> list[Consultation]:
    """Surveys with matrix statements that people have answered, latest first."""
    has_matrix = exists().where(
        Question.consultation_id == Consultation.id, Question.type == "matrix"
    )
    found = session.scalars(
        select(Consultation).where(Consultation.status.in_(ANSWERED), has_matrix)
    ).all()
    return sorted(found, key=lambda c: (year_label(c), c.id), reverse=True)


def partner_question(session: Session, consultation: Consultation) -> Question | None:
    names = session.scalars(select(Organisation.name)).all()
    return trends.partner_question(consultation.questions, names)


# --- Series -------------------------------------------------------------------------------


def next_year_title(title: str) -> str:
    """Last year's title with each year moved on by one ("Scorecard 2025" -> "Scorecard 2026")."""
    moved, count = re.subn(r"\b(19|20)(\d\d)\b", lambda m: str(int(m.group(0)) + 1), title)
    return moved if count else f"{title} (next year)"


def copy_as_next_year(
    session: Session, source: Consultation, *, created_by_id: int | None = None
) -> Consultation:
    """A draft copy of the survey that follows it, so its answers are compared with the source's."""
    copy = lifecycle.copy_consultation(
        session, source, created_by_id=created_by_id, title=next_year_title(source.title)
    )
    copy.previous_id = source.id
    session.flush()
    return copy


def earlier_choices(session: Session, consultation: Consultation) -> list[Consultation]:
    """Surveys this one could follow: answered surveys with statements that do not already come
    after it in its series (which would make the series go round in a circle)."""
    later = set(_followers(session, consultation.id))
    return [c for c in scorecards(session) if c.id != consultation.id and c.id not in later]


def set_previous(session: Session, consultation: Consultation, previous_id: int | None) -> None:
    if previous_id is not None:
        allowed = {c.id for c in earlier_choices(session, consultation)}
        if previous_id not in allowed:
            raise SurveyError("Choose one of the earlier surveys listed")
    consultation.previous_id = previous_id
    session.flush()


def _followers(session: Session, consultation_id: int) -> list[int]:
    found: list[int] = []
    frontier = [consultation_id]
    while frontier:
        frontier = list(
            session.scalars(
                select(Consultation.id).where(
                    Consultation.previous_id.in_(frontier), Consultation.id.not_in(found)
                )
            )
        )
        found += frontier
    return found


def followers(session: Session, consultation: Consultation) -> list[Consultation]:
    """The surveys that follow this one directly (next year's)."""
    return list(
        session.scalars(
            select(Consultation)
            .where(Consultation.previous_id == consultation.id)
            .order_by(Consultation.id)
        )
    )


def series(consultation: Consultation) -> list[Consultation]:
    """The earlier surveys this one follows, most recent first."""
    chain: list[Consultation] = []
    seen = {consultation.id}
    item = consultation.previous
    while item is not None and item.id not in seen:
        chain.append(item)
        seen.add(item.id)
        item = item.previous
    return chain


# --- Nominations --------------------------------------------------------------------------


def nominations(session: Session, consultation_id: int) -> dict[str, int]:
    rows = session.scalars(select(Nomination).where(Nomination.consultation_id == consultation_id))
    return {n.option_value: n.nominated for n in rows}


def save_nominations(
    session: Session, consultation: Consultation, counts: Mapping[str, int | None]
) -> None:
    """Record how many staff each partner nominated; an empty count removes the partner's."""
    question = partner_question(session, consultation)
    if question is None:
        raise SurveyError("This survey does not ask which partner organisation people work for")
    valid = {o["value"] for o in question.options}
    existing = {
        n.option_value: n
        for n in session.scalars(
            select(Nomination).where(Nomination.consultation_id == consultation.id)
        )
    }
    for value, count in counts.items():
        if value not in valid:
            continue
        if count is not None and not 0 <= count <= MAX_NOMINATED:
            raise SurveyError(f"Give a number between 0 and {MAX_NOMINATED:,}")
        row = existing.get(value)
        if count is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(
                Nomination(consultation_id=consultation.id, option_value=value, nominated=count)
            )
        else:
            row.nominated = count
    session.flush()


def read_nominations_csv(text: str, options: Sequence[Mapping[str, str]]) -> dict[str, int]:
    """Counts from a two-column CSV (organisation, number), matched to the options by name."""
    by_name = {trends.normalise(o["label"]): o["value"] for o in options}
    counts: dict[str, int] = {}
    unknown: list[str] = []
    for line, row in enumerate(csv.reader(text.splitlines()), start=1):
        if len(row) < 2 or not any(cell.strip() for cell in row):
            continue
        name, number = row[0].strip(), row[1].strip().replace(",", "")
        if not number.isdigit():
            if line == 1:
                continue  # a heading row
            raise SurveyError(f"Row {line}: give the number of staff as a whole number")
        value = by_name.get(trends.normalise(name))
        if value is None:
            unknown.append(name)
            continue
        counts[value] = int(number)
    if unknown:
        raise SurveyError(
            "These organisations are not options of the survey's organisation question: "
            + ", ".join(unknown)
        )
    if not counts:
        raise SurveyError("The file has no rows of an organisation and a number")
    return counts


def previous_nominations(session: Session, consultation: Consultation) -> dict[str, int]:
    """Last year's nominated staff, by this year's organisation option."""
    previous = consultation.previous
    if previous is None:
        return {}
    partner = partner_question(session, consultation)
    previous_partner = partner_question(session, previous)
    if partner is None or previous_partner is None:
        return {}
    then = nominations(session, previous.id)
    twins = _partner_twins(partner, previous_partner)
    return {value: then[twin] for value, twin in twins.items() if twin in then}


def _partner_twins(partner: Question, previous_partner: Question) -> dict[str, str]:
    return trends.match_choices(
        partner.options,
        previous_partner.options,
        linked=partner.copied_from_id == previous_partner.id,
    )


# --- Year on year -------------------------------------------------------------------------


def respondents(
    session: Session, consultation: Consultation, partner: Question | None
) -> list[trends.Respondent]:
    """Every response's organisation answer and matrix answers."""
    wanted = [q.id for q in consultation.questions if q.type == "matrix"]
    if partner is not None:
        wanted.append(partner.id)
    by_response: dict[int, dict[int, Any]] = {
        rid: {}
        for rid in session.scalars(
            select(Response.id).where(Response.consultation_id == consultation.id)
        )
    }
    rows = session.execute(
        select(Answer.response_id, Answer.question_id, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.consultation_id == consultation.id, Answer.question_id.in_(wanted))
    )
    for response_id, question_id, value in rows:
        by_response.setdefault(response_id, {})[question_id] = value
    found = []
    for answers in by_response.values():
        chosen = answers.pop(partner.id, None) if partner is not None else None
        matrices = {qid: v for qid, v in answers.items() if isinstance(v, dict)}
        found.append(trends.Respondent(chosen if isinstance(chosen, str) else None, matrices))
    return found


@dataclass(frozen=True)
class RateRow:
    value: str
    label: str
    now: trends.Rate
    then: trends.Rate | None


@dataclass
class Section:
    """One matrix question: its statements and how each changed."""

    heading: str
    caption: str
    rows: list[tuple[trends.Item, trends.Change]] = field(default_factory=list)


@dataclass
class YearOnYear:
    """Everything the year-on-year page and its download show."""

    consultation: Consultation
    previous: Consultation | None
    partner: Question | None
    previous_partner: Question | None
    partner_twins: dict[str, str]  # this year's organisation option -> last year's
    items: list[trends.Item]
    current: list[trends.Respondent]
    earlier: list[trends.Respondent] | None
    nominated: dict[str, int]
    previous_nominated: dict[str, int]

    @property
    def partners(self) -> list[tuple[str, str]]:
        """This year's organisation options as (value, label)."""
        return [(o["value"], o["label"]) for o in (self.partner.options if self.partner else [])]

    def group(
        self, partner: str = ALL
    ) -> tuple[list[trends.Respondent], list[trends.Respondent] | None]:
        if partner == ALL:
            return self.current, self.earlier
        now = [r for r in self.current if r.partner == partner]
        if self.earlier is None:
            return now, None
        twin = self.partner_twins.get(partner)
        return now, [r for r in self.earlier if twin is not None and r.partner == twin]

    def sections(self, partner: str = ALL) -> list[Section]:
        now, then = self.group(partner)
        found: dict[int, Section] = {}
        for item in self.items:
            q = item.question
            if q.id not in found:
                heading = q.page.title if q.page is not None and q.page.title else q.title
                found[q.id] = Section(heading, q.title)
            found[q.id].rows.append((item, trends.change(item, now, then)))
        return list(found.values())

    def rates(self) -> list[RateRow]:
        values = [v for v, _ in self.partners]
        now = trends.response_rates([r.partner for r in self.current], self.nominated, values)
        then: dict[str, trends.Rate] = {}
        if self.earlier is not None and self.previous_partner is not None:
            then = trends.response_rates(
                [r.partner for r in self.earlier],
                self.previous_nominated,
                [o["value"] for o in self.previous_partner.options],
            )
        return [
            RateRow(v, label, now[v], then.get(self.partner_twins.get(v, "")))
            for v, label in self.partners
        ]

    def glance(self) -> list[tuple[str, str, int, int | None, dict[str, int]]]:
        """Per partner: value, name, respondents now and then, and how many statements went up,
        down or did not change significantly."""
        found = []
        for value, label in [(ALL, "All partners"), *self.partners]:
            now, then = self.group(value)
            counts = {d.value: 0 for d in trends.Direction}
            for section in self.sections(value):
                for _, change in section.rows:
                    if change.direction is not None:
                        counts[change.direction.value] += 1
            found.append((value, label, len(now), None if then is None else len(then), counts))
        return found


def year_on_year(session: Session, consultation: Consultation) -> YearOnYear:
    previous = consultation.previous
    partner = partner_question(session, consultation)
    previous_partner = partner_question(session, previous) if previous is not None else None
    twins: dict[str, str] = {}
    if partner is not None and previous_partner is not None:
        twins = _partner_twins(partner, previous_partner)
    return YearOnYear(
        consultation=consultation,
        previous=previous,
        partner=partner,
        previous_partner=previous_partner,
        partner_twins=twins,
        items=trends.items(consultation.questions, previous.questions if previous else []),
        current=respondents(session, consultation, partner),
        earlier=respondents(session, previous, previous_partner) if previous else None,
        nominated=nominations(session, consultation.id),
        previous_nominated=nominations(session, previous.id) if previous else {},
    )
