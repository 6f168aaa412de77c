"""Codebooks: who may read, use and change them, editing their themes, reading uploaded files,
and saving a finished run's themes as a new codebook.

Functions take a Session and never commit; the view that calls them owns the transaction.
Themes are checked by ``analysis.codebook_file`` (the same checks as ``engage themes
--codebook``), so an officer sees the same plain messages on the page as on the command line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import or_, select, true
from sqlalchemy.orm import Session

from analysis.codebook_file import Codebook as CodebookFile
from analysis.codebook_file import CodebookError
from engage.accounts.models import Role, User
from engage.codebooks.models import Codebook
from engage.findings.models import QuestionAnalysis, ThemeKind

# Theme ids are stored as the key of a Theme row (40 characters).
MAX_ID_LENGTH = 40
MAX_EXAMPLES = 20
MODE_FREE = "free"
MODE_CODEBOOK = "codebook"


def visible_to(user: User) -> Any:
    """A filter for the codebooks a person may read and use: their partner's, and shared ones."""
    if user.role == Role.ADMIN:
        return true()
    return or_(Codebook.organisation_id == user.organisation_id, Codebook.shared.is_(True))


def readable(session: Session, user: User) -> list[Codebook]:
    stmt = select(Codebook).where(visible_to(user)).order_by(Codebook.name, Codebook.id)
    return list(session.scalars(stmt))


def usable(session: Session, user: User) -> list[Codebook]:
    """Codebooks an analysis can map onto: readable ones with at least one theme."""
    return [codebook for codebook in readable(session, user) if codebook.themes]


def can_read(user: User, codebook: Codebook) -> bool:
    return can_change(user, codebook) or codebook.shared


def can_change(user: User, codebook: Codebook) -> bool:
    return user.role == Role.ADMIN or codebook.organisation_id == user.organisation_id


def create(
    session: Session,
    *,
    name: str,
    organisation_id: int,
    shared: bool = False,
    created_by_id: int | None = None,
    themes: Sequence[dict[str, Any]] = (),
) -> Codebook:
    codebook = Codebook(
        name=name.strip(),
        organisation_id=organisation_id,
        shared=shared,
        created_by_id=created_by_id,
        themes=checked([dict(theme) for theme in themes]) if themes else [],
    )
    session.add(codebook)
    session.flush()
    return codebook


def checked(themes: list[dict[str, Any]], source: str | None = None) -> list[dict[str, Any]]:
    """Themes validated by the codebook-file rules, in the stored shape."""
    book = CodebookFile.from_json({"themes": themes}, source=source)
    for theme in book.themes:
        if len(theme.id) > MAX_ID_LENGTH:
            raise CodebookError(
                f'The id "{theme.id[:MAX_ID_LENGTH]}..." is too long: keep each theme\'s id '
                f"to {MAX_ID_LENGTH} characters or fewer."
            )
    return [
        {
            "id": theme.id,
            "label": theme.label,
            "description": theme.description,
            "examples": list(theme.examples),
        }
        for theme in book.themes
    ]


def read_upload(filename: str, data: bytes) -> list[dict[str, Any]]:
    """The themes of an uploaded codebook file, or a CodebookError saying what to change.

    The same messages as ``analysis.codebook_file.read_codebook`` gives for a file on disk.
    """
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1] or "The file"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CodebookError(f"{name} is not UTF-8 text; save it again as UTF-8.") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise CodebookError(
            f"{name} is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})."
        ) from None
    return checked_document(document, name)


def checked_document(document: Any, source: str) -> list[dict[str, Any]]:
    CodebookFile.from_json(document, source=source)  # explains a file of the wrong shape
    return checked(document["themes"], source)


def new_id(label: str, taken: set[str]) -> str:
    """A short id from a label ("Older people" -> "older-people"), unique within the codebook."""
    base = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[: MAX_ID_LENGTH - 4] or "theme"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def example_lines(text: str) -> list[str]:
    """Example answers typed one per line; blank lines are left out."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def add_theme(codebook: Codebook, *, label: str, description: str, examples: list[str]) -> None:
    themes = [dict(theme) for theme in codebook.themes]
    theme_id = new_id(label, {theme["id"] for theme in themes})
    themes.append(
        {"id": theme_id, "label": label, "description": description, "examples": examples}
    )
    codebook.themes = checked(themes)


def change_theme(
    codebook: Codebook, index: int, *, label: str, description: str, examples: list[str]
) -> None:
    themes = [dict(theme) for theme in codebook.themes]
    themes[index] = {**themes[index], "label": label, "description": description}
    themes[index]["examples"] = examples
    codebook.themes = checked(themes)


def remove_theme(codebook: Codebook, index: int) -> str:
    themes = [dict(theme) for theme in codebook.themes]
    removed = themes.pop(index)
    codebook.themes = themes
    return str(removed["label"])


def run_params(codebook: Codebook) -> dict[str, Any]:
    """What an analysis run keeps of the codebook: a copy, so later edits never change a run."""
    return {
        "mode": MODE_CODEBOOK,
        "codebook_id": codebook.id,
        "codebook_name": codebook.name,
        "codebook": codebook.as_file(),
    }


def from_analysis(
    qa: QuestionAnalysis,
    quotes: dict[int, str],
    descriptions: dict[str, str],
    mask: Callable[[str], str],
) -> list[dict[str, Any]]:
    """A question's themes as codebook themes: its label, a description (the codebook's own for
    a codebook theme, else the theme's key words) and its quotes, masked, as example answers."""
    themes: list[dict[str, Any]] = []
    taken: set[str] = set()
    for theme in sorted(qa.themes, key=lambda t: t.position):
        description = descriptions.get(theme.key) if theme.kind == ThemeKind.CODEBOOK else None
        if description is None:
            description = ", ".join(theme.terms[:8])
        theme_id = new_id(theme.label, taken)
        taken.add(theme_id)
        examples = [mask(quotes[i]) for i in theme.quote_answer_ids if quotes.get(i)]
        themes.append(
            {
                "id": theme_id,
                "label": theme.label,
                "description": description,
                "examples": [text for text in examples if text.strip()][:MAX_EXAMPLES],
            }
        )
    return themes
