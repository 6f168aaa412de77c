"""Curating a question's themes: starting from a run, officers' edits (each recorded in the audit
log, each withdrawing an approval), the agreement figure, and what a re-run adds.

Functions take a Session and never commit; the view or task that calls them owns the transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import pii
from engage import audit
from engage.curation import rules
from engage.curation.models import (
    CuratedAssignment,
    CuratedSet,
    CuratedTheme,
    CurationEvent,
)
from engage.findings.models import AnalysisRun, QuestionAnalysis, Theme, ThemeAssignment, ThemeKind
from surveys.base import utcnow
from surveys.models import Answer, Question

PRIORITY_PREFIX = "priority-"
MAX_EXAMPLES = 8
LABEL_LENGTH = 200


class CurationError(ValueError):
    """An edit that cannot be made, with a plain-English reason."""


def curated_set(session: Session, question_id: int) -> CuratedSet | None:
    return session.scalar(select(CuratedSet).where(CuratedSet.question_id == question_id))


def sets_for(session: Session, consultation_id: int) -> dict[int, CuratedSet]:
    stmt = select(CuratedSet).where(CuratedSet.consultation_id == consultation_id)
    return {item.question_id: item for item in session.scalars(stmt)}


def record(
    session: Session,
    user_id: int | None,
    action: str,
    summary: str,
    *,
    question_id: int | None = None,
    priority_id: int | None = None,
    **details: Any,
) -> CurationEvent:
    event = CurationEvent(
        user_id=user_id,
        question_id=question_id,
        priority_id=priority_id,
        action=action,
        summary=summary,
        details=details,
        at=utcnow(),
    )
    session.add(event)
    session.flush()
    return event


def history(session: Session, question_id: int, limit: int = 50) -> list[CurationEvent]:
    stmt = (
        select(CurationEvent)
        .where(CurationEvent.question_id == question_id)
        .order_by(CurationEvent.at.desc(), CurationEvent.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def start(
    session: Session, question: Question, run: AnalysisRun, user_id: int | None
) -> CuratedSet:
    """Copy the run's themes and assignments for the question into a new curated set."""
    existing = curated_set(session, question.id)
    if existing is not None:
        return existing
    qa = session.scalar(
        select(QuestionAnalysis).where(
            QuestionAnalysis.run_id == run.id, QuestionAnalysis.question_id == question.id
        )
    )
    if qa is None or not qa.themes:
        raise CurationError("This question has no themes to curate yet: run the analysis first.")
    item = CuratedSet(
        question_id=question.id, consultation_id=run.consultation_id, started_from_run_id=run.id
    )
    session.add(item)
    session.flush()
    by_theme: dict[int, CuratedTheme] = {}
    for position, theme in enumerate(qa.themes, start=1):
        curated = CuratedTheme(
            set_id=item.id,
            label=theme.label,
            description=", ".join(theme.terms[:8]),
            position=position,
            origins=[theme.key],
            priority_id=priority_of_key(theme.key),
        )
        session.add(curated)
        by_theme[theme.id] = curated
    session.flush()
    baseline: dict[str, list[str]] = {str(a): [] for a in answer_ids(session, question.id)}
    key_of = {theme.id: theme.key for theme in qa.themes}
    for link in session.scalars(
        select(ThemeAssignment).where(ThemeAssignment.theme_id.in_(list(by_theme)))
    ):
        session.add(
            CuratedAssignment(theme_id=by_theme[link.theme_id].id, answer_id=link.answer_id)
        )
        baseline.setdefault(str(link.answer_id), []).append(key_of[link.theme_id])
    item.baseline = baseline
    session.flush()
    record(
        session,
        user_id,
        "start",
        f"Started curating from the analysis of {run.finished_at or run.created_at:%d %B %Y}",
        question_id=question.id,
        run_id=run.id,
    )
    return item


def priority_of_key(key: str) -> int | None:
    """A theme of a run against the strategic priorities is keyed "priority-<id>"."""
    number = key.removeprefix(PRIORITY_PREFIX)
    return int(number) if key.startswith(PRIORITY_PREFIX) and number.isdigit() else None


def answer_ids(session: Session, question_id: int) -> list[int]:
    stmt = select(Answer.id).where(Answer.question_id == question_id, Answer.text.is_not(None))
    return list(session.scalars(stmt))


def edited(
    session: Session,
    item: CuratedSet,
    user_id: int | None,
    action: str,
    summary: str,
    **details: Any,
) -> None:
    """Record an edit; an approved set is no longer approved once it changes."""
    if item.approved_at is not None:
        item.approved_at = None
        item.approved_by_id = None
        summary += " (the approval was withdrawn: approve the themes again when ready)"
    record(session, user_id, action, summary, question_id=item.question_id, **details)


def theme_in(item: CuratedSet, theme_id: int) -> CuratedTheme:
    for theme in item.themes:
        if theme.id == theme_id:
            return theme
    raise CurationError("That theme is not in this question's themes any more.")


def clean_label(label: str) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise CurationError("Enter a name for the theme")
    if len(label) > LABEL_LENGTH:
        raise CurationError(f"The theme's name must be {LABEL_LENGTH} characters or fewer")
    return label


def rename(
    session: Session,
    item: CuratedSet,
    theme_id: int,
    *,
    label: str,
    description: str,
    user_id: int | None,
) -> None:
    theme = theme_in(item, theme_id)
    old = theme.label
    theme.label = clean_label(label)
    theme.description = (description or "").strip()
    edited(
        session,
        item,
        user_id,
        "rename",
        f"Renamed ‘{old}’ to ‘{theme.label}’" if old != theme.label else f"Described ‘{old}’",
        theme_id=theme.id,
        old=old,
        new=theme.label,
    )


def merge(
    session: Session,
    item: CuratedSet,
    keep_id: int,
    other_ids: Iterable[int],
    *,
    user_id: int | None,
) -> None:
    """Fold the other themes into ``keep_id``: their answers join it (an answer marked as a quote
    or moved by hand stays so) and their origins are kept, so the agreement figure still sees
    where the machine put those answers."""
    keep = theme_in(item, keep_id)
    others = [theme_in(item, theme_id) for theme_id in set(other_ids) - {keep_id}]
    if not others:
        raise CurationError("Choose at least one other theme to merge into this one")
    members = {a.answer_id: a for a in keep.assignments}
    for other in others:
        for link in other.assignments:
            mine = members.get(link.answer_id)
            if mine is None:
                mine = CuratedAssignment(theme_id=keep.id, answer_id=link.answer_id)
                keep.assignments.append(mine)
                members[link.answer_id] = mine
            mine.pinned = bool(mine.pinned or link.pinned)
            mine.quote = bool(mine.quote or link.quote)
        keep.origins = [*keep.origins, *[key for key in other.origins if key not in keep.origins]]
        keep.priority_id = keep.priority_id or other.priority_id
        keep.published = keep.published or other.published
        item.themes.remove(other)
    session.flush()
    names = ", ".join(f"‘{other.label}’" for other in others)
    edited(
        session,
        item,
        user_id,
        "merge",
        f"Merged {names} into ‘{keep.label}’",
        theme_id=keep.id,
        merged=[other.label for other in others],
    )


def split(
    session: Session,
    item: CuratedSet,
    theme_id: int,
    *,
    label: str,
    answers: Iterable[int],
    user_id: int | None,
) -> CuratedTheme:
    """A new theme named by the officer, taking the chosen answers out of ``theme_id``."""
    source = theme_in(item, theme_id)
    chosen = {int(a) for a in answers}
    moving = [link for link in source.assignments if link.answer_id in chosen]
    if not moving:
        raise CurationError("Choose the answers that belong in the new theme")
    if len(moving) == len(source.assignments):
        raise CurationError(
            "Leave at least one answer in the theme: to rename it, use ‘Rename’ instead"
        )
    new = CuratedTheme(
        set_id=item.id,
        label=clean_label(label),
        position=max(t.position for t in item.themes) + 1,
        priority_id=source.priority_id,
    )
    item.themes.append(new)
    session.flush()
    for link in moving:
        source.assignments.remove(link)
        new.assignments.append(
            CuratedAssignment(answer_id=link.answer_id, pinned=True, quote=link.quote)
        )
    session.flush()
    edited(
        session,
        item,
        user_id,
        "split",
        f"Split {len(moving)} answer{'s' if len(moving) != 1 else ''} from ‘{source.label}’ "
        f"into a new theme ‘{new.label}’",
        theme_id=new.id,
        answers=sorted(chosen),
    )
    return new


def move(
    session: Session,
    item: CuratedSet,
    answer_id: int,
    *,
    from_id: int,
    to_id: int | None,
    user_id: int | None,
) -> None:
    """Move an answer to another theme (or out of every theme when ``to_id`` is None); the move is
    pinned, so no re-run undoes it."""
    source = theme_in(item, from_id)
    link = next((a for a in source.assignments if a.answer_id == answer_id), None)
    if link is None:
        raise CurationError("That answer is no longer in this theme")
    target = theme_in(item, to_id) if to_id is not None else None
    if target is source:
        raise CurationError("Choose a different theme to move the answer to")
    source.assignments.remove(link)
    if target is not None:
        existing = next((a for a in target.assignments if a.answer_id == answer_id), None)
        if existing is None:
            target.assignments.append(
                CuratedAssignment(answer_id=answer_id, pinned=True, quote=link.quote)
            )
        else:
            existing.pinned = True
    session.flush()
    where = f"‘{target.label}’" if target else "no theme (Other)"
    edited(
        session,
        item,
        user_id,
        "move",
        f"Moved an answer from ‘{source.label}’ to {where}",
        answer_id=answer_id,
        from_theme=source.label,
        to_theme=target.label if target else None,
    )


def mark_quote(
    session: Session,
    item: CuratedSet,
    theme_id: int,
    answer_id: int,
    *,
    on: bool,
    user_id: int | None,
) -> None:
    theme = theme_in(item, theme_id)
    link = next((a for a in theme.assignments if a.answer_id == answer_id), None)
    if link is None:
        raise CurationError("That answer is no longer in this theme")
    if link.quote == on:
        return
    link.quote = on
    session.flush()
    verb = "Chose a quote for" if on else "Took a quote off"
    edited(session, item, user_id, "quote", f"{verb} ‘{theme.label}’", answer_id=answer_id)


def approve(session: Session, item: CuratedSet, *, user_id: int | None) -> None:
    item.approved_at = utcnow()
    item.approved_by_id = user_id
    session.flush()
    record(
        session,
        user_id,
        "approve",
        f"Approved the {len(item.themes)} themes",
        question_id=item.question_id,
    )
    audit.record(
        session,
        action="curation.approve",
        actor=user_id,
        target_type="question",
        target_id=item.question_id,
        detail={"consultation": item.consultation_id, "themes": len(item.themes)},
    )


def add_proposed(
    session: Session, item: CuratedSet, run_theme_id: int, *, user_id: int | None
) -> CuratedTheme:
    """A proposed theme of a later run becomes a curated theme, with its answers that are in no
    curated theme yet (answers officers have already placed stay where they are)."""
    proposed = session.get(Theme, run_theme_id)
    if proposed is None or proposed.kind != ThemeKind.PROPOSED:
        raise CurationError("That proposed theme is no longer there: run the analysis again.")
    if any(proposed_key(proposed) in theme.origins for theme in item.themes):
        raise CurationError(f"‘{proposed.label}’ is already one of the themes")
    theme = CuratedTheme(
        set_id=item.id,
        label=proposed.label,
        description=", ".join(proposed.terms[:8]),
        position=max((t.position for t in item.themes), default=0) + 1,
        origins=[proposed_key(proposed)],
    )
    item.themes.append(theme)
    session.flush()
    placed = placed_answers(item)
    links = session.scalars(select(ThemeAssignment).where(ThemeAssignment.theme_id == proposed.id))
    for link in links:
        if link.answer_id not in placed:
            theme.assignments.append(CuratedAssignment(answer_id=link.answer_id))
    session.flush()
    edited(session, item, user_id, "add", f"Added the proposed theme ‘{theme.label}’")
    return theme


def proposed_key(theme: Theme) -> str:
    """Proposed themes of different runs share keys ("new1"), so the run's id is added."""
    return f"run{theme.question_analysis.run_id}:{theme.key}"


def set_priority(
    session: Session, item: CuratedSet, theme_id: int, priority: Any, *, user_id: int | None
) -> None:
    theme = theme_in(item, theme_id)
    theme.priority_id = priority.id if priority is not None else None
    session.flush()
    where = f"to the priority ‘{priority.title}’" if priority else "to no priority"
    record(
        session,
        user_id,
        "priority",
        f"Mapped ‘{theme.label}’ {where}",
        question_id=item.question_id,
        priority_id=priority.id if priority is not None else None,
    )


def placed_answers(item: CuratedSet) -> set[int]:
    return {link.answer_id for theme in item.themes for link in theme.assignments}


def current(item: CuratedSet) -> dict[int, set[int]]:
    themes: dict[int, set[int]] = defaultdict(set)
    for theme in item.themes:
        for link in theme.assignments:
            themes[link.answer_id].add(theme.id)
    return dict(themes)


def agreement(item: CuratedSet) -> tuple[rules.Agreement, int]:
    """The sample-averaged F1 between the machine's first assignment and the curated one, and how
    many answers officers moved by hand."""
    machine = rules.baseline_themes(item.baseline, {t.id: t.origins for t in item.themes})
    moved = {link.answer_id for t in item.themes for link in t.assignments if link.pinned}
    return rules.sample_f1(machine, current(item)), len(moved)


def codebook(session: Session, item: CuratedSet) -> dict[str, Any]:
    """The curated themes as a codebook file for a re-run: ids "c<id>", the officers' labels and
    descriptions, and member answers (personal details removed) as examples."""
    texts = dict(
        session.execute(
            select(Answer.id, Answer.text).where(
                Answer.id.in_([link.answer_id for t in item.themes for link in t.assignments])
            )
        ).all()
    )
    themes = []
    for theme in item.themes:
        # Quotes first: officers chose them as typical; then answers moved by hand.
        links = sorted(theme.assignments, key=lambda a: (not a.quote, not a.pinned, a.answer_id))
        examples = [pii.mask_text(texts[a.answer_id]) for a in links if texts.get(a.answer_id)]
        themes.append(
            {
                "id": rules.curated_key(theme.id),
                "label": theme.label,
                "description": theme.description,
                "examples": [text for text in examples if text.strip()][:MAX_EXAMPLES],
            }
        )
    return {"themes": themes}


def run_codebooks(session: Session, consultation_id: int) -> dict[str, Any]:
    """What a new run keeps of the consultation's curated sets: a codebook per question id."""
    return {
        str(question_id): codebook(session, item)
        for question_id, item in sets_for(session, consultation_id).items()
        if item.themes
    }


def apply_run(session: Session, run_id: int, question_id: int) -> int:
    """After a run stored a question's result, give the curated set the machine's themes for the
    answers it has never seen; answers it knows keep the officers' themes. Idempotent: a second
    call finds every answer known. Returns how many answers were added."""
    item = curated_set(session, question_id)
    qa = session.scalar(
        select(QuestionAnalysis).where(
            QuestionAnalysis.run_id == run_id, QuestionAnalysis.question_id == question_id
        )
    )
    if item is None or qa is None:
        return 0
    by_id = {theme.id: theme for theme in item.themes}
    machine: dict[int, list[str]] = {a: [] for a in answer_ids(session, question_id)}
    key_of = {theme.id: theme.key for theme in qa.themes if theme.kind == ThemeKind.CODEBOOK}
    links = session.scalars(
        select(ThemeAssignment).where(ThemeAssignment.theme_id.in_(list(key_of)))
    )
    for link in links:
        machine.setdefault(link.answer_id, []).append(key_of[link.theme_id])
    known = {int(a) for a in item.baseline} | placed_answers(item)
    added = rules.new_answers(known, machine)
    for answer_id, keys in added.items():
        for key in keys:
            theme = by_id.get(rules.theme_of_curated_key(key) or 0)
            if theme is not None:
                theme.assignments.append(CuratedAssignment(answer_id=answer_id))
    if added:
        item.baseline = {**item.baseline, **{str(a): keys for a, keys in added.items()}}
        session.flush()
        record(
            session,
            None,
            "rerun",
            f"A new analysis placed {len(added)} new answer{'s' if len(added) != 1 else ''}",
            question_id=question_id,
            run_id=run_id,
        )
    return len(added)


def publishable(session: Session, consultation_id: int, *, published_only: bool = False) -> list:
    """Themes of the consultation's approved curated sets, for "We asked, you said, we did":
    (theme, residents, quotes with personal details removed), in question then theme order.

    This is also what a later summary sent to the residents' panel should carry (the panel
    arrives in a later issue; nothing is sent from here)."""
    sets = sorted(sets_for(session, consultation_id).values(), key=lambda s: s.question_id)
    themes = [
        theme
        for item in sets
        if item.approved_at is not None
        for theme in item.themes
        if theme.published or not published_only
    ]
    quote_ids = [link.answer_id for t in themes for link in t.assignments if link.quote]
    texts = dict(
        session.execute(select(Answer.id, Answer.text).where(Answer.id.in_(quote_ids))).all()
    )
    return [
        (
            theme,
            len(theme.assignments),
            [pii.mask_text(texts.get(a.answer_id) or "") for a in theme.assignments if a.quote],
        )
        for theme in themes
    ]


def choose_published(
    session: Session, consultation_id: int, theme_ids: Iterable[int], *, user_id: int | None
) -> None:
    """Which approved themes "We asked, you said, we did" shows."""
    chosen = set(theme_ids)
    for theme, _, _ in publishable(session, consultation_id):
        if theme.published != (theme.id in chosen):
            theme.published = theme.id in chosen
            record(
                session,
                user_id,
                "publish",
                f"{'Included' if theme.published else 'Left out'} ‘{theme.label}’ in "
                "“We asked, you said, we did”",
                question_id=theme.curated_set.question_id,
            )
    session.flush()
