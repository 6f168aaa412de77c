"""Strategic priorities and the evidence for them across consultations: the JOG's board.

Functions take a Session and never commit; the view that calls them owns the transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import pii
from engage.curation import evidence
from engage.curation import services as curation
from engage.curation.groups import standing_out
from engage.curation.models import (
    CuratedSet,
    CuratedTheme,
    PriorityNote,
    StrategicPriority,
)
from engage.findings.services import quote_texts
from surveys import exports
from surveys.models import Answer, Consultation

COMMENT = "comment"
RECOMMENDATION = "recommendation"
QUOTES_PER_CONSULTATION = 3

SEED = [
    (
        "Improving outcomes for vulnerable children and young people",
        "Support for children, young people and families who need it most: early help, mental "
        "health, youth work, care-experienced young people, and safe places to go.",
        ["More for teenagers to do in the evenings", "Mental health support for young people"],
    ),
    (
        "Older people – adding life to years",
        "Helping older residents stay well, connected and independent at home: care at home, "
        "loneliness, transport to appointments and accessible local services.",
        ["My mother waits weeks for a carer", "Lunch clubs stop older people being lonely"],
    ),
    (
        "Community regeneration and empowerment",
        "Stronger, greener town centres and neighbourhoods, local jobs and housing, and residents "
        "having a real say in what happens where they live.",
        ["The high street is full of empty shops", "Let local people decide how money is spent"],
    ),
]


def priorities(session: Session, *, active_only: bool = False) -> list[StrategicPriority]:
    stmt = select(StrategicPriority).order_by(StrategicPriority.position, StrategicPriority.id)
    if active_only:
        stmt = stmt.where(StrategicPriority.active.is_(True))
    return list(session.scalars(stmt))


def seed(session: Session) -> list[StrategicPriority]:
    """The partnership's three strategic priorities, when there are none yet."""
    existing = priorities(session)
    if existing:
        return existing
    for position, (title, description, examples) in enumerate(SEED, start=1):
        session.add(
            StrategicPriority(
                title=title, description=description, examples=examples, position=position
            )
        )
    session.flush()
    return priorities(session)


def save_priority(
    session: Session,
    priority: StrategicPriority | None,
    *,
    title: str,
    description: str,
    examples: list[str],
    active: bool,
    user_id: int | None,
) -> StrategicPriority:
    title = " ".join(title.split())
    if not title:
        raise curation.CurationError("Enter the priority’s title")
    if len(title) > 200:
        raise curation.CurationError("The title must be 200 characters or fewer")
    if priority is None:
        priority = StrategicPriority(position=len(priorities(session)) + 1)
        session.add(priority)
    priority.title = title
    priority.description = description.strip()
    priority.examples = [line for line in examples if line.strip()]
    priority.active = active
    session.flush()
    curation.record(
        session, user_id, "priority-saved", f"Saved the priority ‘{title}’", priority_id=priority.id
    )
    return priority


def run_params(session: Session) -> dict[str, Any]:
    """A codebook made from the active priorities (ids "priority-<id>"), for a run's params."""
    themes = [
        {
            "id": f"{curation.PRIORITY_PREFIX}{p.id}",
            "label": p.title,
            "description": p.description,
            "examples": list(p.examples),
        }
        for p in priorities(session, active_only=True)
    ]
    if not themes:
        raise curation.CurationError("There are no active strategic priorities to map onto")
    return {
        "mode": "codebook",
        "codebook_name": "Strategic priorities",
        "codebook": {"themes": themes},
    }


@dataclass
class QuestionCount:
    number: int
    title: str
    people: int  # responses whose answer to this question is in the themes


@dataclass
class Evidence:
    consultation: Consultation
    residents: int = 0  # distinct responses with an answer in the themes mapped to the priority
    themes: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)  # personal details removed
    questions: list[QuestionCount] = field(default_factory=list)  # the figures behind residents
    approved: bool = True  # every set behind it is approved by officers


@dataclass
class PriorityRow:
    priority: StrategicPriority
    evidence: list[Evidence]
    comments: list[PriorityNote]
    recommendations: list[PriorityNote]  # latest first
    # Groups that raise the priority more than others (see engage.curation.groups).
    groups: list[Any] = field(default_factory=list)

    @property
    def residents(self) -> int:
        """Responses across consultations (each consultation's responses are different people's
        answers; one person's responses to two consultations cannot be linked)."""
        return sum(e.residents for e in self.evidence)


@dataclass
class Source:
    consultation: Consultation
    number: int
    question: str
    people: int
    approved: bool


@dataclass
class Emerging:
    """Themes of one name, mapped to no priority, from every question they came up in."""

    label: str
    size: int  # distinct responses across its sources
    sources: list[Source]


def board(
    session: Session, localities: Sequence[str] = ()
) -> tuple[list[PriorityRow], list[Emerging]]:
    """Each active priority with its evidence per consultation and the groups that raise it more
    than others, and the curated themes mapped to no priority ("emerging issues"), largest
    first. A person counts once per consultation however many of its questions raised it."""

    rows = session.execute(select(CuratedTheme, CuratedSet).join(CuratedTheme.curated_set)).all()
    consultations = {
        c.id: c
        for c in session.scalars(
            select(Consultation).where(
                Consultation.id.in_({item.consultation_id for _, item in rows})
            )
        )
    }
    numbers = {q.id: (n, q.title) for c in consultations.values() for n, q in exports.numbered(c)}
    placed = [link.answer_id for theme, _ in rows for link in theme.assignments]
    stmt = select(Answer.id, Answer.response_id).where(Answer.id.in_(placed))
    response_of = {answer_id: response_id for answer_id, response_id in session.execute(stmt)}
    quoted = {theme.id: evidence.quotes_of(theme)[0] for theme, _ in rows}
    texts = quote_texts(session, [i for ids in quoted.values() for i in ids])
    by_priority: dict[int, dict[int, Evidence]] = defaultdict(dict)
    # Who raised what: responses by (priority or emerging name, consultation, question).
    raised: dict[tuple[Any, int], dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    emerging: dict[str, Emerging] = {}
    approved: dict[tuple[Any, int, int], bool] = {}
    for theme, item in rows:
        consultation = consultations[item.consultation_id]
        responses = {response_of[a.answer_id] for a in theme.assignments}
        if theme.priority_id is None:
            key: Any = " ".join(theme.label.casefold().split())
            emerging.setdefault(key, Emerging(theme.label, 0, []))
        else:
            key = theme.priority_id
            found = by_priority[key].setdefault(item.consultation_id, Evidence(consultation))
            found.approved &= item.approved_at is not None
            if theme.label not in found.themes:  # two questions may share a theme's name
                found.themes.append(theme.label)
            for answer_id in quoted[theme.id]:
                if len(found.quotes) < QUOTES_PER_CONSULTATION and texts.get(answer_id):
                    found.quotes.append(pii.mask_text(texts[answer_id]))
        raised[(key, item.consultation_id)][item.question_id] |= responses
        approved[(key, item.consultation_id, item.question_id)] = item.approved_at is not None

    def counts(key: Any, consultation_id: int) -> tuple[int, list[QuestionCount]]:
        by_question = raised[(key, consultation_id)]
        people = len(set().union(*by_question.values())) if by_question else 0
        figures = [
            QuestionCount(*numbers.get(question_id, (0, "")), len(responses))
            for question_id, responses in by_question.items()
        ]
        return people, sorted(figures, key=lambda q: q.number)

    for (key, consultation_id), by_question in raised.items():
        if key not in emerging:
            continue
        issue = emerging[key]
        issue.size += len(set().union(*by_question.values()))
        for question_id, responses in by_question.items():
            number, title = numbers.get(question_id, (0, ""))
            issue.sources.append(
                Source(
                    consultations[consultation_id],
                    number,
                    title,
                    len(responses),
                    approved[(key, consultation_id, question_id)],
                )
            )
    for issue in emerging.values():
        issue.sources.sort(key=lambda s: (-s.people, s.consultation.title, s.number))
    notes = defaultdict(list)
    for note in session.scalars(select(PriorityNote).order_by(PriorityNote.at.desc())):
        notes[(note.priority_id, note.kind)].append(note)
    stand_out = standing_out(session, sorted(consultations), localities)
    result = []
    for priority in priorities(session, active_only=True):
        behind = list(by_priority.get(priority.id, {}).values())
        for found in behind:
            found.residents, found.questions = counts(priority.id, found.consultation.id)
        behind.sort(key=lambda e: -e.residents)
        result.append(
            PriorityRow(
                priority,
                behind,
                notes[(priority.id, COMMENT)],
                notes[(priority.id, RECOMMENDATION)],
                stand_out.get(priority.id, []),
            )
        )
    return result, sorted(emerging.values(), key=lambda e: (-e.size, e.label))


def add_note(
    session: Session, priority: StrategicPriority, *, kind: str, text: str, user_id: int | None
) -> PriorityNote:
    text = text.strip()
    if not text:
        raise curation.CurationError(
            "Enter your comment" if kind == COMMENT else "Enter the recommendation to the CPP Board"
        )
    note = PriorityNote(priority_id=priority.id, kind=kind, text=text, user_id=user_id)
    session.add(note)
    session.flush()
    if kind == RECOMMENDATION:
        curation.record(
            session,
            user_id,
            "recommendation",
            f"Recorded a recommendation to the CPP Board on ‘{priority.title}’",
            priority_id=priority.id,
            text=text,
        )
    return note
