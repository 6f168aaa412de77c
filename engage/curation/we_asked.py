"""Drafting "We asked, you said, we did" from what residents said: the officers' approved
themes of every free-text question, largest first, with the true number of people behind each.

A sentence that claims something ("came up more than anything else") is written only when the
figures say so. The draft is a start: the officer edits and previews it before publishing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engage.curation.models import CuratedSet
from engage.curation.sets import sets_for
from surveys import services
from surveys.models import Answer, Consultation

SPOKEN_OF = 5  # themes a draft speaks of when officers have not chosen which to show


@dataclass
class Said:
    """One approved theme (themes of one name in several questions count once per person)."""

    label: str
    people: int  # distinct responses with an answer in it
    questions: list[int] = field(default_factory=list)  # question ids it came from


def approved(session: Session, consultation_id: int) -> list[CuratedSet]:
    return [s for s in sets_for(session, consultation_id).values() if s.approved_at is not None]


def said(session: Session, consultation_id: int) -> list[Said]:
    """The approved themes of the consultation, largest first (then by name)."""
    found: dict[str, Said] = {}
    responses: dict[str, set[int]] = {}
    sets = approved(session, consultation_id)
    answer_ids = [link.answer_id for item in sets for t in item.themes for link in t.assignments]
    stmt = select(Answer.id, Answer.response_id).where(Answer.id.in_(answer_ids))
    response_of = {answer_id: response_id for answer_id, response_id in session.execute(stmt)}
    for item in sets:
        for theme in item.themes:
            key = " ".join(theme.label.casefold().split())
            entry = found.setdefault(key, Said(theme.label, 0))
            entry.questions.append(item.question_id)
            responses.setdefault(key, set()).update(
                response_of[link.answer_id] for link in theme.assignments
            )
    for key, entry in found.items():
        entry.people = len(responses[key])
    return sorted((e for e in found.values() if e.people), key=lambda e: (-e.people, e.label))


def _people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"


def _in_sentence(label: str) -> str:
    """ "Buses and getting about" reads "buses and getting about" mid-sentence; "GP
    appointments" stays as it is."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def draft_you_said(themes: list[Said], answered: int, shown: Collection[str] = ()) -> str:
    """Paragraphs for "You said" from the approved ``themes`` (largest first) and how many
    people wrote an answer to a free-text question; "" when there are none. When officers chose
    themes to show (``shown``, by label) the text speaks of those; a claim such as "came up more
    than anything else" is still weighed against every theme."""
    if not themes:
        return ""
    chosen = [t for t in themes if t.label in shown] or themes[:SPOKEN_OF]
    largest = themes[0].people
    of = f" of the {answered} who wrote to us" if answered else ""
    lead_themes = [t for t in chosen if t.people == largest]
    if len(lead_themes) == 1 and sum(t.people == largest for t in themes) == 1:
        top = lead_themes[0]
        lead = f"{top.label} came up more than anything else: {_people(top.people)}{of} raised it."
    elif lead_themes:
        names = _listed([t.label for t in lead_themes])
        lead = f"{names} came up most often: {_people(largest)}{of} raised each."
    else:
        top = chosen[0]
        lead = f"{_people(top.people)}{of} raised {_in_sentence(top.label)}."
        lead_themes = [top]
    rest = [t for t in chosen if t not in lead_themes]
    paragraphs = [lead]
    if rest:
        items = [f"{_in_sentence(t.label)} ({_people(t.people)})" for t in rest]
        paragraphs.append(f"You also told us about {_listed(items)}.")
    return "\n\n".join(paragraphs)


def answered(session: Session, consultation: Consultation) -> int:
    """People who wrote an answer to at least one free-text question in an approved set."""
    question_ids = [item.question_id for item in approved(session, consultation.id)]
    stmt = select(func.count(func.distinct(Answer.response_id))).where(
        Answer.question_id.in_(question_ids), Answer.text.is_not(None), Answer.text != ""
    )
    return session.scalar(stmt) or 0


def draft_we_asked(session: Session, consultation: Consultation) -> str:
    total = services.response_count(session, consultation.id)
    return f"{consultation.summary.strip()}\n\n{_people(total)} answered.".strip()


def draft(session: Session, consultation: Consultation) -> tuple[str, str]:
    """(We asked, You said) drafted from the consultation and its approved themes."""
    shown = {
        t.label for item in approved(session, consultation.id) for t in item.themes if t.published
    }
    return (
        draft_we_asked(session, consultation),
        draft_you_said(said(session, consultation.id), answered(session, consultation), shown),
    )
