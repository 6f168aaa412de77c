"""Themes and choice results by respondent group: which attributes a question's answers are
broken down by, and the rows that feed ``analysis.breakdowns`` (which suppresses groups and
cells under 10, and hides one more where a hidden one could be worked out from a total).

A choice question's options are treated as the themes of its answers: a single choice puts each
person in exactly one, so a group's row adds up to its size and is protected like a column; a
multiple choice may put a person in several or (an "Other" answer) in none."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, and_, null, select
from sqlalchemy.orm import Session, aliased

from analysis.breakdowns import breakdown
from engage.findings.models import QuestionAnalysis, ThemeAssignment
from engage.panel import membership
from engage.panel.membership import panel_responses
from surveys import equalities
from surveys.models import (
    CHANNEL_LABELS,
    Answer,
    Consultation,
    EqualitiesAnswers,
    Question,
    Response,
)
from surveys.questions import get_type
from surveys.questions.choice import OTHER, allows_other

NOT_ANSWERED = "Not answered"


@dataclass(frozen=True)
class AttributeBreakdown:
    """One table of themes by a respondent attribute, with readable names for its codes."""

    title: str
    breakdown: Any  # analysis.breakdowns.Breakdown
    group_labels: dict[str | None, str]
    theme_labels: dict[str, str]


def labelled(names: Mapping[str, str]) -> dict[str | None, str]:
    """Readable names for a group's codes, and one for people who gave no answer."""
    labels: dict[str | None, str] = {code: name for code, name in names.items()}
    labels[None] = NOT_ANSWERED
    return labels


@dataclass(frozen=True)
class Attribute:
    """Something about the person who answered: a table of themes is drawn for each.

    ``value`` reads it from a row of (answer id, channel, equalities answers, locality code).
    """

    key: str
    title: str
    groups: list[str]  # every option, in order, so groups nobody chose still show
    labels: dict[str | None, str]
    value: Callable[[Row[Any]], str | None]


def locality_question(consultation: Consultation) -> Question | None:
    """The survey's own locality question (its first, if it asks twice)."""
    return next((q for q in consultation.questions if q.type == "locality"), None)


def attributes(
    consultation: Consultation, localities: Sequence[str], panel: set[int] | None = None
) -> list[Attribute]:
    """The attributes themes are broken down by, in the order the tables are shown: how people
    responded, Residents' Panel membership, where they live, then each equalities question.

    Locality comes from the survey's own locality question when it has one, else from the
    equalities block's area question. ``panel`` holds the ids of responses from panel members
    (``engage.panel.membership``); the membership table is drawn only when there are some.
    """
    found = [
        Attribute(
            "channel",
            "How people responded",
            list(CHANNEL_LABELS),
            {**{str(c): label for c, label in CHANNEL_LABELS.items()}, None: "Not recorded"},
            lambda row: row.channel,
        )
    ]
    if panel:
        # Imported here: loading engage.panel loads its views, which import this module.

        found.append(
            Attribute(
                "panel",
                "Residents' Panel membership",
                [membership.MEMBER, membership.NOT_MEMBER],
                labelled(membership.LABELS),
                lambda row: (
                    membership.MEMBER if row.response_id in panel else membership.NOT_MEMBER
                ),
            )
        )
    own = locality_question(consultation)
    if own is not None:
        found.append(
            Attribute(
                "locality",
                f"Area: {own.title}",
                [o["value"] for o in own.options],
                labelled({o["value"]: o["label"] for o in own.options}),
                lambda row: row.locality if isinstance(row.locality, str) else None,
            )
        )
    if not consultation.equalities:
        return found
    block = equalities.questions(localities)
    if own is None:  # the block's area question stands in for the survey's own
        block.sort(key=lambda q: q.key != "locality")
    for question in block:
        if question.key == "locality" and own is not None:
            continue
        title = f"Area: {question.title}" if question.key == "locality" else question.title
        found.append(
            Attribute(
                question.key,
                title,
                [o["value"] for o in question.options],
                labelled({o["value"]: o["label"] for o in question.options}),
                _equalities_value(question.key),
            )
        )
    return found


def _equalities_value(key: str) -> Callable[[Row[Any]], str | None]:
    return lambda row: getattr(row.eq, key) if row.eq is not None else None


def theme_breakdowns(
    session: Session, qa: QuestionAnalysis, consultation: Consultation, localities: Sequence[str]
) -> list[AttributeBreakdown]:
    """The question's themes (an analysis run's) by each attribute."""
    themes = sorted(qa.themes, key=lambda t: t.position)
    if not themes:
        return []
    key_of = {t.id: t.key for t in themes}
    memberships: dict[int, set[str]] = {}
    for theme_id, answer_id in session.execute(
        select(ThemeAssignment.theme_id, ThemeAssignment.answer_id).where(
            ThemeAssignment.theme_id.in_(key_of)
        )
    ):
        memberships.setdefault(answer_id, set()).add(key_of[theme_id])
    return membership_breakdowns(
        session,
        qa.question_id,
        consultation,
        localities,
        memberships,
        {t.key: t.label for t in themes},
    )


def membership_breakdowns(
    session: Session,
    question_id: int,
    consultation: Consultation,
    localities: Sequence[str],
    memberships: Mapping[int, set[str]],
    theme_labels: Mapping[str, str],
) -> list[AttributeBreakdown]:
    """Themes by each attribute, from {answer id: the theme keys it is in}; the columns follow
    ``theme_labels``' order. Small groups are suppressed by ``analysis.breakdowns``; this only
    gathers who said what. Serves a run's themes, curated themes and the board's priorities."""

    if not theme_labels:
        return []

    rows = respondent_rows(session, question_id, locality_question(consultation))
    panel = panel_responses(session, consultation.id)
    members = [memberships.get(row.id, set()) for row in rows]
    order = list(theme_labels)
    return [
        AttributeBreakdown(
            attribute.title,
            breakdown(
                members,
                [attribute.value(row) for row in rows],
                themes=order,
                groups=attribute.groups,
                attribute=attribute.key,
            ),
            attribute.labels,
            dict(theme_labels),
        )
        for attribute in attributes(consultation, localities, panel)
    ]


def respondent_rows(
    session: Session, question_id: int, locality: Question | None, *, written: bool = True
) -> list[Row[Any]]:
    """Each answer to the question with its value, its respondent's response id, channel,
    equalities answers and area; only answers with text unless ``written`` is False."""
    eq = aliased(EqualitiesAnswers, name="eq")
    area = aliased(Answer, name="area")
    stmt = (
        select(
            Answer.id,
            Answer.value,
            Response.id.label("response_id"),
            Response.channel,
            eq,
            (area.value if locality is not None else null()).label("locality"),
        )
        .join(Response, Response.id == Answer.response_id)
        .outerjoin(eq, eq.response_id == Response.id)
        .where(Answer.question_id == question_id)
        .order_by(Answer.id)
    )
    if written:
        stmt = stmt.where(Answer.text.is_not(None))
    if locality is not None:
        stmt = stmt.outerjoin(
            area, and_(area.response_id == Response.id, area.question_id == locality.id)
        )
    return list(session.execute(stmt))


def is_closed(question: Question) -> bool:
    """Whether the question's answers are options chosen, so they can be broken down by group."""
    return get_type(question.type).closed


def attribute_choices(
    session: Session, consultation: Consultation, localities: Sequence[str]
) -> list[tuple[str, str]]:
    """(key, title) of each attribute choice results can be broken down by, in page order."""

    panel = panel_responses(session, consultation.id)
    return [(a.key, a.title) for a in attributes(consultation, localities, panel)]


def choice_breakdowns(
    session: Session,
    question: Question,
    consultation: Consultation,
    localities: Sequence[str],
    only: str | None = None,
) -> list[AttributeBreakdown]:
    """A closed question's answers by each attribute (or by the one keyed ``only``): how many in
    each group chose each option, and their share of the group that answered the question.

    The findings page, the findings report and its spreadsheet all call this, so they show
    the same figures. A locality question is not broken down by itself."""

    if not is_closed(question):
        return []
    own_area = locality_question(consultation)
    rows = [
        row
        for row in respondent_rows(session, question.id, own_area, written=False)
        if row.value not in (None, "", [])
    ]
    chosen = [set(row.value) if isinstance(row.value, list) else {row.value} for row in rows]
    options = {o["value"]: o["label"] for o in question.options}
    if allows_other(question):
        # A column of its own, so a group's row still adds up to its size: otherwise a few
        # "Other" answers could be worked out as the group less its options.
        options[OTHER] = "Other"
    panel = panel_responses(session, consultation.id)
    tables = []
    for attribute in attributes(consultation, localities, panel):
        if only is not None and attribute.key != only:
            continue
        if attribute.key == "locality" and own_area is not None and own_area.id == question.id:
            continue
        tables.append(
            AttributeBreakdown(
                attribute.title,
                breakdown(
                    chosen,
                    [attribute.value(row) for row in rows],
                    themes=list(options),
                    groups=attribute.groups,
                    attribute=attribute.key,
                ),
                attribute.labels,
                options,
            )
        )
    return tables
