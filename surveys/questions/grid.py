"""Questions with several inputs: a matrix (rows × one scale) and ranking without dragging."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from surveys.options import option_list
from surveys.questions.base import Form, Parsed, QuestionType
from surveys.questions.choice import LIKERT

if TYPE_CHECKING:
    from surveys.models import Question


def rows(question: Question) -> list[dict[str, str]]:
    return list(question.settings.get("rows") or [])


def row_field(question: Question, row_value: str) -> str:
    return f"{question.field_name}-{row_value}"


class Matrix(QuestionType):
    """Each row (a service, a statement) gets one point of the same scale."""

    key = "matrix"
    name = "Matrix (several rows, one scale)"
    has_options = True
    settings_fields = ("rows",)
    default_options: ClassVar[tuple[str, ...]] = LIKERT

    def read(self, question: Question, form: Form) -> Parsed:
        valid = {o["value"] for o in question.options}
        value: dict[str, str] = {}
        raw: list[str] = []
        error = None
        for row in rows(question):
            chosen = (form.get(row_field(question, row["value"])) or [""])[0]
            raw.append(chosen)
            if not chosen:
                continue
            if chosen not in valid:
                error = "Select one of the options shown in each row"
                continue
            value[row["value"]] = chosen
        if error is None and question.required and len(value) < len(rows(question)):
            error = "Answer every row"
        if error:
            return Parsed(error=error, raw=tuple(raw))
        return Parsed(value=value or None, raw=tuple(raw))

    def error_target(self, question: Question) -> str:
        first = rows(question)[:1]
        return row_field(question, first[0]["value"]) if first else question.field_name

    def display(self, question: Question, value: Any, text: str | None = None) -> str:
        labels = {r["value"]: r["label"] for r in rows(question)}
        return "; ".join(
            f"{labels.get(r, r)}: {question.option_label(v)}" for r, v in (value or {}).items()
        )

    def settings_from_form(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"rows": option_list((data.get("rows") or "").splitlines(), prefix="r")}


class Ranking(QuestionType):
    """Put options in order by giving each a number: no dragging (WCAG 2.5.7)."""

    key = "ranking"
    name = "Ranking (number the options in order)"
    has_options = True

    def read(self, question: Question, form: Form) -> Parsed:
        count = len(question.options)
        ranks: dict[str, int] = {}
        raw: list[str] = []
        for option in question.options:
            given = (form.get(row_field(question, option["value"])) or [""])[0].strip()
            raw.append(given)
            if not given:
                continue
            if not given.isdigit() or not 1 <= int(given) <= count:
                return Parsed(error=f"Use the numbers 1 to {count}", raw=tuple(raw))
            ranks[option["value"]] = int(given)
        if len(set(ranks.values())) < len(ranks):
            return Parsed(error="Give each option a different number", raw=tuple(raw))
        if question.required and len(ranks) < count:
            return Parsed(error="Put a number beside every option", raw=tuple(raw))
        order = sorted(ranks, key=ranks.__getitem__)
        return Parsed(value=order or None, raw=tuple(raw))

    def error_target(self, question: Question) -> str:
        first = question.options[:1]
        return row_field(question, first[0]["value"]) if first else question.field_name

    def display(self, question: Question, value: Any, text: str | None = None) -> str:
        return ", ".join(f"{n}. {question.option_label(v)}" for n, v in enumerate(value or [], 1))
