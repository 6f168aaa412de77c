"""Officers' edits of a curated set: rename, merge, split, move answers, choose quotes, add a
re-run's proposed theme, map to a priority, approve. Each is recorded in the change log, and
each edit withdraws an approval until the officers approve again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.audit import services as audit
from engage.curation import evidence
from engage.curation.models import CuratedAssignment, CuratedSet, CuratedTheme
from engage.curation.runs import proposed_key
from engage.curation.sets import CurationError, placed_answers, record
from engage.findings.models import Theme, ThemeAssignment, ThemeKind
from surveys.base import utcnow

LABEL_LENGTH = 200


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
    or moved by hand stays so) and their origins are kept, so a later run's answers still map
    onto the merged theme."""
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
    evidence.measure_soon(session, item)
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
