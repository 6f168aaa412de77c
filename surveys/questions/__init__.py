"""The registry of question types: adding a type is one module and one line here."""

from __future__ import annotations

from surveys.questions.base import Parsed, QuestionType
from surveys.questions.choice import MultipleChoice, RatingScale, SingleChoice
from surveys.questions.grid import Matrix, Ranking
from surveys.questions.other import Consent, Information, Locality
from surveys.questions.text import DateInput, Email, LongText, Number, ShortText

QUESTION_TYPES: dict[str, QuestionType] = {
    t.key: t
    for t in (
        SingleChoice(),
        MultipleChoice(),
        RatingScale(),
        Matrix(),
        Ranking(),
        ShortText(),
        LongText(),
        Number(),
        DateInput(),
        Email(),
        Locality(),
        Consent(),
        Information(),
    )
}


def get_type(key: str) -> QuestionType:
    try:
        return QUESTION_TYPES[key]
    except KeyError:
        raise ValueError(f"unknown question type {key!r}") from None


__all__ = ["QUESTION_TYPES", "Parsed", "QuestionType", "get_type"]
