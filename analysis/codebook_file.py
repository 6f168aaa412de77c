"""Reading and checking an officer's codebook file.

JSON ``{"themes": [{"id", "label", "description"?, "examples"?: [answer texts]}]}``; every
problem is refused with a message that says which theme and what to change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.errors import AnalysisError


class CodebookError(AnalysisError):
    """The codebook file cannot be used; the message says what to change in it."""


@dataclass(frozen=True)
class CodebookTheme:
    """A theme supplied by officers: an id they chose, a label and optional guidance."""

    id: str
    label: str
    description: str = ""
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Codebook:
    """The officers' themes, in their order."""

    themes: tuple[CodebookTheme, ...]

    @classmethod
    def from_json(cls, data: Any, source: str | None = None) -> Codebook:
        """Validate `{"themes": [{"id", "label", "description"?, "examples"?}]}`.

        `source` names the file in messages; without it they speak of "the codebook".
        """
        subject, within = (source, source) if source else ("The codebook", "the codebook")
        if not isinstance(data, Mapping) or not isinstance(data.get("themes"), list):
            raise CodebookError(
                f'{subject} must be a JSON object with a "themes" list, like '
                '{"themes": [{"id": "housing", "label": "Affordable housing"}]}.'
            )
        if not data["themes"]:
            raise CodebookError(f"{subject} has no themes: add at least one.")
        themes: list[CodebookTheme] = []
        seen: set[str] = set()
        for number, item in enumerate(data["themes"], start=1):
            themes.append(_theme_from_json(item, f"Theme {number} in {within}", seen))
        return cls(themes=tuple(themes))


def _theme_from_json(item: Any, where: str, seen: set[str]) -> CodebookTheme:
    if not isinstance(item, Mapping):
        raise CodebookError(f"{where} is not an object with an id and a label.")
    raw_id = item.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int) or not str(raw_id).strip():
        raise CodebookError(f'{where} has no "id": every theme needs one, such as "housing".')
    theme_id = str(raw_id).strip()
    if theme_id in seen:
        raise CodebookError(f'{where} repeats the id "{theme_id}": each id must be different.')
    seen.add(theme_id)
    label = item.get("label")
    if not isinstance(label, str) or not label.strip():
        raise CodebookError(f'{where} ("{theme_id}") has no "label": give it a few words.')
    description = item.get("description") or ""
    if not isinstance(description, str):
        raise CodebookError(f'The "description" of theme "{theme_id}" must be text.')
    examples = item.get("examples") or []
    if not isinstance(examples, list) or not all(isinstance(text, str) for text in examples):
        raise CodebookError(
            f'The "examples" of theme "{theme_id}" must be a list of answer texts in quotes.'
        )
    return CodebookTheme(
        id=theme_id,
        label=label.strip(),
        description=description.strip(),
        examples=tuple(text for text in examples if text.strip()),
    )


def read_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook JSON file, with plain-English errors for every problem."""
    path = Path(path)
    if not path.is_file():
        raise CodebookError(f"There is no codebook file at {path}.")
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise CodebookError(f"{path.name} is not UTF-8 text; save it again as UTF-8.") from None
    except json.JSONDecodeError as error:
        raise CodebookError(
            f"{path.name} is not valid JSON ({error.msg} at line {error.lineno}, "
            f"column {error.colno})."
        ) from None
    except OSError as error:
        raise CodebookError(f"{path.name} could not be opened: {error.strerror}.") from None
    return Codebook.from_json(data, source=path.name)
