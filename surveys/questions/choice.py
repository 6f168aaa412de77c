"""Choice questions: single (radios or a dropdown), multiple (with a maximum), rating scales.

Single and multiple choice may offer "Other, please specify": the option value ``other`` with
the person's own words kept as the answer's text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from surveys.questions.base import Form, Parsed, QuestionType

if TYPE_CHECKING:
    from surveys.models import Question

OTHER = "other"
LIKERT = (
    "Strongly agree",
    "Agree",
    "Neither agree nor disagree",
    "Disagree",
    "Strongly disagree",
)


def other_field(question: Question) -> str:
    return f"{question.field_name}-other"


def allows_other(question: Question) -> bool:
    return bool(question.settings.get("allow_other"))


def _other_text(question: Question, form: Form) -> str:
    return (form.get(other_field(question)) or [""])[0].strip()


class SingleChoice(QuestionType):
    key = "single_choice"
    name = "Single choice (radio buttons or a dropdown list)"
    has_options = True
    closed = True
    settings_fields: ClassVar[tuple[str, ...]] = ("display", "allow_other")

    def valid_values(self, question: Question) -> set[str]:
        values = {o["value"] for o in question.options}
        return values | {OTHER} if allows_other(question) else values

    def read(self, question: Question, form: Form) -> Parsed:
        parsed = self.parse(question, form.get(question.field_name, ()))
        if parsed.value != OTHER:
            return parsed
        text = _other_text(question, form)
        if not text:
            return Parsed(error="Say what your other answer is", raw=(OTHER,))
        return Parsed(value=OTHER, text=text, raw=(OTHER, text))

    def parse(self, question: Question, raw: Sequence[str]) -> Parsed:
        chosen = [r for r in raw if r]
        if not chosen:
            error = "Select an answer" if question.required else None
            return Parsed(error=error)
        if len(chosen) > 1 or chosen[0] not in self.valid_values(question):
            return Parsed(error="Select one of the options shown", raw=tuple(chosen))
        return Parsed(value=chosen[0], raw=(chosen[0],))

    def display(self, question: Question, value: Any, text: str | None = None) -> str:
        if value == OTHER:
            return f"Other: {text or ''}"
        return "" if value is None else question.option_label(str(value))

    def settings_from_form(self, data: dict[str, Any]) -> dict[str, Any]:
        settings: dict[str, Any] = {}
        if data.get("display") == "dropdown":
            settings["display"] = "dropdown"
        if data.get("allow_other") in (True, "yes"):
            settings["allow_other"] = True
        return settings


class RatingScale(SingleChoice):
    """A Likert scale: one of an ordered set of points, agree to disagree unless told otherwise."""

    key = "rating_scale"
    name = "Rating scale (for example, agree to disagree)"
    settings_fields = ()
    default_options: ClassVar[tuple[str, ...]] = LIKERT

    @property
    def template(self) -> str:
        return SingleChoice().template

    def settings_from_form(self, data: dict[str, Any]) -> dict[str, Any]:
        return {}


class MultipleChoice(QuestionType):
    key = "multiple_choice"
    name = "Multiple choice (checkboxes)"
    has_options = True
    closed = True
    settings_fields = ("max_choices", "allow_other")

    def read(self, question: Question, form: Form) -> Parsed:
        parsed = self.parse(question, form.get(question.field_name, ()))
        if parsed.error or OTHER not in (parsed.value or []):
            return parsed
        text = _other_text(question, form)
        if not text:
            return Parsed(error="Say what your other answer is", raw=parsed.raw)
        return Parsed(value=parsed.value, text=text, raw=(*parsed.raw, text))

    def parse(self, question: Question, raw: Sequence[str]) -> Parsed:
        valid = [o["value"] for o in question.options]
        if allows_other(question):
            valid.append(OTHER)
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

    def display(self, question: Question, value: Any, text: str | None = None) -> str:
        labels = [
            f"Other: {text or ''}" if v == OTHER else question.option_label(v) for v in value or []
        ]
        return ", ".join(labels)

    def settings_from_form(self, data: dict[str, Any]) -> dict[str, Any]:
        settings: dict[str, Any] = {}
        if data.get("max_choices"):
            settings["max_choices"] = int(data["max_choices"])
        if data.get("allow_other") in (True, "yes"):
            settings["allow_other"] = True
        return settings
