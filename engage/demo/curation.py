"""The demo's closed consultation analysed, curated and on the priority board at first start.

The seed runs before the demo's worker starts, so the analysis of the one small closed
consultation runs here, in this process, as the tests run it; then an officer's few edits are
made through the curation services, so the curation page has a change log, the board has
evidence and emerging issues, and "We asked, you said, we did" shows curated themes.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.accounts.models import User
from engage.curation import board
from engage.curation import services as curation
from engage.curation.models import CuratedSet, CuratedTheme, StrategicPriority
from engage.findings import services as findings
from engage.findings.models import QuestionAnalysis
from surveys.models import Consultation
from worker import tasks

# An officer's names for themes, given after reading their answers: (words in the answers, the
# officer's name). A theme takes the name whose words most of its answers use, when at least
# RENAME_SHARE of them do; otherwise it keeps the analysis's label, as an officer would keep a
# label that fits better than any of their own. Naming by the machine's label alone called a
# theme of litter, police and dentists "Getting a GP or hospital appointment" once.
RENAME_SHARE = 0.3
# Whole words only ("bus" is not in "businesses", "care" not in "scared"), endings allowed.
RENAMES = [
    (r"\b(bus|buses|transport|trains?)\b", "Buses and getting about"),
    (r"\b(youth|youths|kids|teens?|teenagers?|weans)\b", "Things for young people to do"),
    (r"\b(shops?|high street|town|toun)\b", "Town centres and empty shops"),
    (
        r"\b(older|lonely|loneliness|care|carers?|pensioners?)\b",
        "Older people, care and loneliness",
    ),
    (r"\b(heating|cost|costs|money|living|poverty|bills?)\b", "Cost of living"),
    (r"\b(potholes?|roads?|pavements?)\b", "Roads and potholes"),
    (
        r"\b(doctors?|gp|dentists?|a&e|appointments?|hospital)\b",
        "Getting a GP or hospital appointment",
    ),
]
# Words in a curated theme's name that place it under one of the seeded priorities (in the
# order of engage.curation.board.SEED); a theme matching none stays an emerging issue.
PRIORITY_WORDS = [
    r"young|youth|child|school|famil",
    r"older|care|lonel",
    r"town|shop|job|housing|regenerat",
]
QUOTES_PER_THEME = 1
MOVED = 2


def analyse_now(session: Session, run_id: int) -> None:
    """Do what the worker would do with the run, in this process (the demo's worker is not
    running yet, and the consultation is small)."""

    job = findings.start_run(session, run_id, task_id=None)
    session.commit()
    for question_id in job.question_ids if job else []:
        tasks.analyse_question.run(run_id, question_id)


def curate(session: Session, consultation_id: int, officer_email: str) -> str:
    """An officer's first pass over each free-text question's themes: start, rename the largest,
    merge the two smallest, move a couple of answers, choose quotes, map themes to priorities
    and approve; every edit is in the change log as it would be from the page."""
    consultation = session.get(Consultation, consultation_id)
    run = findings.latest_successful_run(session, consultation_id) if consultation else None
    if consultation is None or run is None:
        return "no analysis to curate"
    officer = session.scalar(select(User).where(User.email == officer_email))
    user_id = officer.id if officer else None
    priorities = board.priorities(session, active_only=True)
    curated = 0
    for question in findings.free_text_questions(consultation):
        try:
            item = curation.start(session, question, run, user_id)
        except curation.CurationError:
            continue  # no themes found in this question's answers
        first_pass(session, item, priorities, user_id)
        curated += 1
    # The first question's approved themes under "You said" on the hub (the officer may change
    # which on the results page).
    themes = curation.publishable(session, consultation_id)
    first = min((theme.curated_set.question_id for theme, _, _ in themes), default=None)
    officers_names = {name for _, name in RENAMES}
    of_first = [theme for theme, _, _ in themes if theme.curated_set.question_id == first]
    # The themes the officer named; the analysis's labels read as key words, not sentences.
    chosen = [t.id for t in of_first if t.label in officers_names] or [t.id for t in of_first]
    curation.choose_published(session, consultation_id, chosen, user_id=user_id)
    return f"{curated} question{'s' if curated != 1 else ''} curated"


def first_pass(
    session: Session,
    item: CuratedSet,
    priorities: list[StrategicPriority],
    user_id: int | None,
) -> None:
    themes = sorted(item.themes, key=lambda t: -len(t.assignments))
    if len(themes) > 3:
        keep, other = themes[-2], themes[-1]
        curation.merge(session, item, keep.id, [other.id], user_id=user_id)
        themes.remove(other)
    texts = findings.quote_texts(
        session, [link.answer_id for theme in themes for link in theme.assignments]
    )
    # No two themes may share a name: a theme whose best name is taken keeps its own label
    # (an officer would look for another; the demo does not need to).
    taken = {theme.label.lower() for theme in themes}
    fits: dict[int, str] = {}  # theme id -> the words of the name its answers fit
    for theme in themes:
        named = officers_name([texts.get(link.answer_id, "") for link in theme.assignments])
        if named:
            fits[theme.id] = named[0]
        if named and named[1].lower() not in taken:
            name = named[1]
            taken.discard(theme.label.lower())
            taken.add(name.lower())
            curation.rename(
                session,
                item,
                theme.id,
                label=name,
                description=theme.description,
                user_id=user_id,
            )
    if len(themes) > 1 and len(themes[1].assignments) > MOVED:
        for link in list(themes[1].assignments)[-MOVED:]:
            curation.move(
                session,
                item,
                link.answer_id,
                from_id=themes[1].id,
                to_id=themes[0].id,
                user_id=user_id,
            )
    typical = typical_answers(session, item)
    for theme in themes:
        members = [link.answer_id for link in theme.assignments]
        # As an officer would: the analysis's typical answers first, then any other; an answer
        # that says what the theme's new name says before either.
        picks = [a for key in theme.origins for a in typical.get(key, []) if a in members]
        pattern = fits.get(theme.id)
        on_point = [
            a
            for a in [*picks, *members]
            if pattern and re.search(pattern, texts.get(a, ""), re.IGNORECASE)
        ]
        for answer_id in list(dict.fromkeys([*on_point, *picks, *members]))[:QUOTES_PER_THEME]:
            curation.mark_quote(session, item, theme.id, answer_id, on=True, user_id=user_id)
        priority = matching_priority(theme, priorities)
        if priority is not None and theme.priority_id != priority.id:
            curation.set_priority(session, item, theme.id, priority, user_id=user_id)
    curation.approve(session, item, user_id=user_id)


def typical_answers(session: Session, item: CuratedSet) -> dict[str, list[int]]:
    """The run's typical quotes per theme key, for the run the curation started from."""
    qa = session.scalar(
        select(QuestionAnalysis).where(
            QuestionAnalysis.run_id == item.started_from_run_id,
            QuestionAnalysis.question_id == item.question_id,
        )
    )
    return {t.key: [int(a) for a in t.quote_answer_ids] for t in qa.themes} if qa else {}


def officers_name(texts: list[str]) -> tuple[str, str] | None:
    """(pattern, name) of the name most of a theme's answers fit, if RENAME_SHARE of them do."""
    if not texts:
        return None
    fits = [
        (sum(bool(re.search(pattern, text, re.IGNORECASE)) for text in texts), -rank, pattern, name)
        for rank, (pattern, name) in enumerate(RENAMES)
    ]
    count, _, pattern, name = max(fits)
    return (pattern, name) if count >= RENAME_SHARE * len(texts) else None


def matching_priority(
    theme: CuratedTheme, priorities: list[StrategicPriority]
) -> StrategicPriority | None:
    text = theme.label.lower()
    for pattern, priority in zip(PRIORITY_WORDS, priorities, strict=False):
        if re.search(pattern, text):
            return priority
    return None


def summary(session: Session) -> dict[str, Any]:
    """What the demo's board shows, for the seed's message and its test."""
    rows, emerging = board.board(session)
    return {
        "evidence": sum(1 for row in rows if row.evidence),
        "emerging": len(emerging),
    }
