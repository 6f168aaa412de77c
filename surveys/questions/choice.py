"""Single choice (radios) and multiple choice (checkboxes, with an optional maximum)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from surveys.questions.base import Parsed, QuestionType

if TYPE_CHECKING:
    from surveys.models import Question


class SingleChoice(QuestionType):
    key = "single_choice"
    name = "Single choice (radio buttons)"
    has_options = True

    def parse(self, question: Question, raw: Sequence[str]) -> Parsed:
        chosen = [r for r in raw if r]
        valid = {o["value"] for o in question.options}
        if not chosen:
            error = "Select an answer" if question.required else None
            return Parsed(error=error)
        if len(chosen) > 1 or chosen[0] not in valid:
            return Parsed(error="Select one of the options shown", raw=tuple(chosen))
        return Parsed(value=chosen[0], raw=(chosen[0],))

    def display(self, question: Question, value: Any) -> str:
        return "" if value is None else question.option_label(str(value))


class MultipleChoice(QuestionType):
    key = "multiple_choice"
    name = "Multiple choice (checkboxes)"
    has_options = True

    def parse(self, question: Question, raw: Sequence[str]) -> Parsed:
        valid = [o["value"] for o in question.options]
        chosen = [v for v in valid if v in set(raw)]  # option order, duplicates dropped
        if any(r not in valid for r in raw if r):
            return Parsed(error="Select only the options shown", raw=tuple(chosen))
        if not chosen:
            error = "Select at least one answer" if question.required else None
            return Parsed(error=error)
        limit = question.settings.get("max_choices")
        if limit and len(chosen) > int(limit):
            noun = "answer" if int(limit) == 1 else "answers"
            return Parsed(error=f"Select no more than {limit} {noun}", raw=tuple(chosen))
        return Parsed(value=chosen, raw=tuple(chosen))

    def display(self, question: Question, value: Any) -> str:
        return ", ".join(question.option_label(v) for v in value or [])

    def settings_from_form(self, data: dict[str, Any]) -> dict[str, Any]:
        limit = data.get("max_choices")
        return {"max_choices": int(limit)} if limit else {}
