"""The findings page of a consultation, assembled for a reader: each question's counts, its
breakdowns by the chosen group, and for free-text questions the one source of its themes
(``free_text``): the officers' approved set once there is one, the analysis's before.

The web view only reads the request, checks access and renders what ``assemble`` returns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.curation import groups, summary
from engage.curation.models import CuratedSet
from engage.curation.sets import sets_for
from engage.findings import breakdowns as groups_of
from engage.findings import services as findings
from engage.findings.models import AnalysisRun, QuestionAnalysis, Theme
from surveys import services
from surveys.models import Consultation, Question
from surveys.questions import get_type


@dataclass
class FreeText:
    """A free-text question's themes as readers see them."""

    analysis: QuestionAnalysis | None
    curated: summary.Reviewed | None = None  # the approved set, when there is one
    proposed: list[Theme] = field(default_factory=list)  # a later run's, not yet reviewed
    breakdowns: list[Any] = field(default_factory=list)
    under_review: bool = False  # officers have started curating but not approved


def free_text(
    session: Session,
    qa: QuestionAnalysis | None,
    reviewed: CuratedSet | None,
    consultation: Consultation,
    localities: Sequence[str],
    show: Callable[[str], str],
) -> FreeText:
    if reviewed is not None and reviewed.approved_at is not None:
        return FreeText(
            analysis=qa,
            curated=summary.reviewed(session, reviewed, show),
            proposed=summary.pending_proposed(reviewed, qa),
            breakdowns=groups.curated_breakdowns(session, reviewed, consultation, localities),
        )
    found = FreeText(analysis=qa, under_review=reviewed is not None)
    if qa is not None:
        found.breakdowns = groups_of.theme_breakdowns(session, qa, consultation, localities)
    return found


@dataclass
class FindingsPage:
    run: AnalysisRun | None
    responses: int
    sections: list[dict[str, Any]]
    quotes: dict[int, str]  # the machine's quotes and examples, as ``show`` returned them
    theme_clouds: set[int]  # themes with a word cloud of their own
    who_took_part: list[Any] | None  # None: too few answers to the equalities questions
    codebook_name: str | None
    has_closed: bool


def _section(
    session: Session,
    number: int,
    question: Question,
    consultation: Consultation,
    *,
    by: str,
    localities: Sequence[str],
    show: Callable[[str], str],
    qa: QuestionAnalysis | None,
    reviewed: CuratedSet | None,
) -> dict[str, Any]:
    qtype = get_type(question.type)
    section: dict[str, Any] = {"number": number, "question": question, "free_text": qtype.free_text}
    if qtype.has_options:
        counts = services.choice_counts(session, question)
        section["counts"] = counts
        section["max_count"] = max((n for _, n in counts), default=0)
    if by and qtype.closed:
        section["choice_groups"] = groups_of.choice_breakdowns(
            session, question, consultation, localities, only=by
        )
    if qtype.free_text:
        themes = free_text(session, qa, reviewed, consultation, localities, show)
        section["analysis"] = themes.analysis
        section["under_review"] = themes.under_review
        if themes.curated is not None:
            section["curated"] = themes.curated
            section["proposed"] = themes.proposed
        if themes.breakdowns:
            section["breakdowns"] = themes.breakdowns
    return section


def assemble(
    session: Session,
    consultation: Consultation,
    *,
    by: str,
    localities: Sequence[str],
    show: Callable[[str], str],
) -> FindingsPage:
    """Everything the findings page shows; ``by`` is the group choice results are broken down
    by ("" for none) and ``show`` masks answers for readers who may not see them as written."""
    run = findings.latest_successful_run(session, consultation.id)
    by_question = {qa.question_id: qa for qa in run.questions} if run else {}
    quote_ids = [i for qa in by_question.values() for t in qa.themes for i in t.quote_answer_ids]
    quote_ids += [
        i for qa in by_question.values() for i in (*qa.other_quote_ids, *qa.no_comment_quote_ids)
    ]
    curated_sets = sets_for(session, consultation.id)
    sections = [
        _section(
            session,
            number,
            question,
            consultation,
            by=by,
            localities=localities,
            show=show,
            qa=by_question.get(question.id),
            reviewed=curated_sets.get(question.id),
        )
        for number, question in enumerate(consultation.questions, start=1)
    ]
    clouds = select(Theme.id).where(
        Theme.question_analysis_id.in_([qa.id for qa in by_question.values()]),
        Theme.word_cloud_png.is_not(None),
    )
    return FindingsPage(
        run=run,
        responses=services.response_count(session, consultation.id),
        sections=sections,
        quotes={i: show(t) for i, t in findings.quote_texts(session, quote_ids).items()},
        theme_clouds=set(session.scalars(clouds)),
        who_took_part=findings.who_took_part(session, consultation, localities),
        codebook_name=(run.params or {}).get("codebook_name") if run else None,
        has_closed=any(get_type(q.type).closed for q in consultation.questions),
    )
