"""What every question type provides. One module per type; the registry lists them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from surveys.models import Question


@dataclass(frozen=True)
class Parsed:
    """An answer read from a form: the value to store, or the message to show beside the field.

    ``raw`` keeps what the person entered so a page with errors can show it again.
    """

    value: Any = None
    text: str | None = None
    error: str | None = None
    raw: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return self.value in (None, "", [])


class QuestionType:
    key: ClassVar[str]
    name: ClassVar[str]  # what officers see when choosing a type
    has_options: ClassVar[bool] = False
    free_text: ClassVar[bool] = False  # answers are analysed for themes

    @property
    def template(self) -> str:
        return f"participate/questions/{self.key}.html"

    def parse(self, question: Question, raw: Sequence[str]) -> Parsed:
        raise NotImplementedError

    def display(self, question: Question, value: Any) -> str:
        """The answer as a person reads it on the check-answers page and in exports."""
        return "" if value is None else str(value)

    def settings_from_form(self, data: dict[str, Any]) -> dict[str, Any]:
        """Per-type settings an officer gave when adding the question."""
        return {}
