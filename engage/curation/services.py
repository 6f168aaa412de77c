"""Curating a question's themes, in one import for views, tasks and the demo: the set and its
change log (``sets``), starting from a run and re-runs (``runs``), officers' edits (``edits``),
and here the agreement figure and what "We asked, you said, we did" publishes.

Functions take a Session and never commit; the view or task that calls them owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from analysis import pii
from engage.curation import evidence, rules, we_asked
from engage.curation.edits import (
    LABEL_LENGTH,
    add_proposed,
    approve,
    clean_label,
    edited,
    mark_quote,
    merge,
    move,
    rename,
    set_priority,
    split,
    theme_in,
)
from engage.curation.models import CuratedSet, CuratedTheme
from engage.curation.runs import (
    MAX_EXAMPLES,
    PRIORITY_PREFIX,
    apply_run,
    codebook,
    priority_of_key,
    proposed_key,
    run_codebooks,
    start,
)
from engage.curation.sets import (
    CurationError,
    answer_ids,
    curated_set,
    current,
    history,
    placed_answers,
    record,
    sets_for,
)
from engage.findings.services import quote_texts

__all__ = [
    "LABEL_LENGTH",
    "MAX_EXAMPLES",
    "PRIORITY_PREFIX",
    "CurationError",
    "add_proposed",
    "agreement",
    "answer_ids",
    "apply_run",
    "approve",
    "choose_published",
    "clean_label",
    "codebook",
    "curated_set",
    "current",
    "edited",
    "history",
    "mark_quote",
    "merge",
    "move",
    "placed_answers",
    "priority_of_key",
    "proposed_key",
    "publishable",
    "record",
    "rename",
    "run_codebooks",
    "set_priority",
    "sets_for",
    "split",
    "start",
    "theme_in",
]


def agreement(item: CuratedSet) -> tuple[rules.Agreement, int]:
    """The sample-averaged F1 between the machine's first assignment and the curated one, each
    machine theme paired one to one with the curated theme it shares most answers with (so a
    merge, split or move lowers it and a rename does not), and how many answers officers moved by
    hand."""
    moved = {link.answer_id for t in item.themes for link in t.assignments if link.pinned}
    figure = rules.agreement(item.baseline, current(item), [t.id for t in item.themes])
    return figure, len(moved)


def publishable(session: Session, consultation_id: int, *, published_only: bool = False) -> list:
    """Themes of the consultation's approved curated sets, for "We asked, you said, we did":
    (theme, residents, quotes with personal details removed), largest first. ``residents``
    counts each person once however many questions they raised it in (themes of one name
    count together, as in ``we_asked.said``); published, a name is shown once. The quotes are
    the ones officers chose, or else the theme's most typical answers (``evidence.quotes_of``).

    The Residents' Panel's results newsletter carries the same."""
    people = {
        " ".join(t.label.casefold().split()): t.people
        for t in we_asked.said(session, consultation_id)
    }
    sets = sorted(sets_for(session, consultation_id).values(), key=lambda s: s.question_id)
    themes = [
        theme
        for item in sets
        if item.approved_at is not None
        for theme in item.themes
        if theme.published or not published_only
    ]

    def residents(theme: CuratedTheme) -> int:
        return people.get(" ".join(theme.label.casefold().split()), 0)

    themes.sort(key=lambda t: (-residents(t), -len(t.assignments)))  # stable on ties
    if published_only:  # one card a name: the largest theme of that name, with its quotes
        firsts: dict[str, CuratedTheme] = {}
        for theme in themes:
            firsts.setdefault(theme.label.casefold(), theme)
        themes = list(firsts.values())
    quoted = {theme.id: evidence.quotes_of(theme)[0] for theme in themes}
    texts = quote_texts(session, [i for ids in quoted.values() for i in ids])
    return [
        (
            theme,
            residents(theme),
            [pii.mask_text(texts[i]) for i in quoted[theme.id] if texts.get(i)],
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
