"""Curated themes by respondent group: for the findings page and report, and, per strategic
priority, which groups raise it more than others, for the board.

Each curated question is broken down as the findings page breaks down its themes (how people
responded, area, the equalities answers; see ``engage.findings.breakdowns``), with one column per
priority: an answer raises a priority when it is in a curated theme mapped to it.
``analysis.breakdowns`` does the test and the disclosure control, so groups and cells under 10
people are never compared or shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from analysis.breakdowns import OVER
from engage.curation import services as curation
from engage.curation.models import CuratedSet
from engage.findings import breakdowns
from surveys.models import Consultation, Question
from surveys.numbers import percent


@dataclass(frozen=True)
class StandsOut:
    """A group that raised a priority more than the others did, in one consultation."""

    consultation: str
    question: str
    attribute: str  # "How people responded"
    group: str  # "Paper form"
    share: float | None  # of the group, None when withheld

    def sentence(self) -> str:
        share = f"{percent(self.share)}% of them" if self.share is not None else "more"
        return (
            f"{self.attribute}: {self.group} raised it more than other groups ({share}), "
            f"in ‘{self.consultation}’"
        )


def standing_out(
    session: Session, consultation_ids: Sequence[int], localities: Sequence[str]
) -> dict[int, list[StandsOut]]:
    """Per priority id, the groups that raise it more than others in each consultation."""
    found: dict[int, list[StandsOut]] = defaultdict(list)
    for consultation_id in consultation_ids:
        consultation = session.get(Consultation, consultation_id)
        if consultation is None:
            continue
        for item in curation.sets_for(session, consultation_id).values():
            question = session.get(Question, item.question_id)
            if question is None:
                continue
            for priority_id, flagged in _question(
                session, consultation, question, item, localities
            ):
                found[priority_id].append(flagged)
    return dict(found)


def _question(
    session: Session,
    consultation: Consultation,
    question: Question,
    item: CuratedSet,
    localities: Sequence[str],
) -> list[tuple[int, StandsOut]]:

    raised: dict[int, set[str]] = defaultdict(set)
    for theme in item.themes:
        if theme.priority_id is not None:
            for link in theme.assignments:
                raised[link.answer_id].add(str(theme.priority_id))
    keys = sorted({key for keys in raised.values() for key in keys})
    tables = breakdowns.membership_breakdowns(
        session, question.id, consultation, localities, raised, {key: key for key in keys}
    )
    return [
        (
            int(cell.theme),
            StandsOut(
                consultation.title,
                question.title,
                table.title,
                table.group_labels.get(group.value, str(group.value)),
                cell.share,
            ),
        )
        for table in tables
        for group in table.breakdown.groups
        for cell in group.cells
        if cell.flag == OVER
    ]


def curated_breakdowns(
    session: Session, item: CuratedSet, consultation: Consultation, localities: Sequence[str]
) -> list[breakdowns.AttributeBreakdown]:
    """An approved curated set's themes by respondent group, as the findings page breaks down a
    run's themes: columns in the order readers see the themes (largest first)."""
    themes = sorted(item.themes, key=lambda t: -len(t.assignments))
    memberships: dict[int, set[str]] = defaultdict(set)
    for theme in themes:
        for link in theme.assignments:
            memberships[link.answer_id].add(str(theme.id))
    return breakdowns.membership_breakdowns(
        session,
        item.question_id,
        consultation,
        localities,
        memberships,
        {str(theme.id): theme.label for theme in themes},
    )
