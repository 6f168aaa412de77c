"""Free-text questions. Their answers are what the analysis engine reads for themes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from surveys.questions.base import Parsed, QuestionType

if TYPE_CHECKING:
    from surveys.models import Question

DEFAULT_MAX_LENGTH = 2000


class LongText(QuestionType):
    key = "long_text"
    name = "Free text (long answer)"
    free_text = True

    def max_length(self, question: Question) -> int:
        return int(question.settings.get("max_length") or DEFAULT_MAX_LENGTH)

    def parse(self, question: Question, raw: Sequence[str]) -> Parsed:
        # Browsers send textarea line breaks as CRLF; count what the person sees.
        text = (raw[0] if raw else "").replace("\r\n", "\n").strip()
        if not text:
            return Parsed(error="Enter your answer" if question.required else None)
        limit = self.max_length(question)
        if len(text) > limit:
            return Parsed(error=f"Your answer must be {limit} characters or fewer", raw=(text,))
        return Parsed(value=text, text=text, raw=(text,))

    def settings_from_form(self, data: dict[str, Any]) -> dict[str, Any]:
        limit = data.get("max_length")
        return {"max_length": int(limit)} if limit else {"max_length": DEFAULT_MAX_LENGTH}
