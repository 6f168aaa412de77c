"""What every question type provides. One module per type; the registry lists them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


Form = Mapping[str, Sequence[str]]


class QuestionType:
    key: ClassVar[str]
    name: ClassVar[str]  # what officers see when choosing a type
    has_options: ClassVar[bool] = False
    has_input: ClassVar[bool] = True  # information text has none
    free_text: ClassVar[bool] = False  # answers are analysed for themes
    # Answers are one or more of the options (a value or a list of values): findings break
    # their counts down by respondent group. Not a matrix (one value per row) or a ranking.
    closed: ClassVar[bool] = False
    settings_fields: ClassVar[tuple[str, ...]] = ()  # extra fields on the officer's form
    default_options: ClassVar[tuple[str, ...]] = ()  # used when the officer gives none

    @property
    def template(self) -> str:
        return f"participate/questions/{self.key}.html"

    def read(self, question: Question, form: Form) -> Parsed:
        """The answer from a submitted form; types with several inputs override this."""
        return self.parse(question, form.get(question.field_name, ()))

    def parse(self, question: Question, raw: Sequence[str]) -> Parsed:
        raise NotImplementedError

    def error_target(self, question: Question) -> str:
        """The id of the input an error summary link should focus."""
        return question.field_name

    def display(self, question: Question, value: Any, text: str | None = None) -> str:
        """The answer as a person reads it on the check-answers page and in exports."""
        return "" if value is None else str(value)

    def settings_from_form(self, data: dict[str, Any]) -> dict[str, Any]:
        """Per-type settings an officer gave when adding the question."""
        return {}
