"""The registry of question types: adding a type is one module and one line here."""

from __future__ import annotations

from surveys.questions.base import Parsed, QuestionType
from surveys.questions.choice import MultipleChoice, SingleChoice
from surveys.questions.text import LongText

QUESTION_TYPES: dict[str, QuestionType] = {
    t.key: t
    for t in (
        SingleChoice(),
        MultipleChoice(),
        LongText(),
    )
}


def get_type(key: str) -> QuestionType:
    try:
        return QUESTION_TYPES[key]
    except KeyError:
        raise ValueError(f"unknown question type {key!r}") from None


__all__ = ["QUESTION_TYPES", "Parsed", "QuestionType", "get_type"]
