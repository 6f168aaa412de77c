"""Typed-in answers: short and long text, numbers, email addresses and dates."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from email_validator import EmailNotValidError, validate_email

from surveys.questions.base import Form, Parsed, QuestionType

if TYPE_CHECKING:
    from surveys.models import Question

DEFAULT_MAX_LENGTH = 2000


def _first(raw: Sequence[str]) -> str:
    # Browsers send textarea line breaks as CRLF; count what the person sees.
    return (raw[0] if raw else "").replace("\r\n", "\n").strip()


class LongText(QuestionType):
    key = "long_text"
    name = "Free text (long answer, with a character limit shown)"
    free_text = True
    default_max_length = DEFAULT_MAX_LENGTH
    settings_fields = ("max_length",)

    def max_length(self, question: Question) -> int:
        return int(question.settings.get("max_length") or self.default_max_length)

    def parse(self, question: Question, raw: Sequence[str]) -> Parsed:
        text = _first(raw)
        if not text:
            return Parsed(error="Enter your answer" if question.required else None)
        limit = self.max_length(question)
        if len(text) > limit:
            return Parsed(error=f"Your answer must be {limit} characters or fewer", raw=(text,))
        return Parsed(value=text, text=text, raw=(text,))

    def settings_from_form(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"max_length": int(data.get("max_length") or self.default_max_length)}


class ShortText(LongText):
    key = "short_text"
    name = "Free text (short answer, one line)"
    default_max_length = 200


class Number(QuestionType):
    key = "number"
    name = "Number (with an optional smallest and largest)"
    settings_fields = ("min_value", "max_value")

    def parse(self, question: Question, raw: Sequence[str]) -> Parsed:
        given = _first(raw)
        if not given:
            return Parsed(error="Enter a number" if question.required else None)
        try:
            number = Decimal(given.replace(",", "").replace(" ", ""))
        except InvalidOperation:
            return Parsed(error="Enter a number, like 3 or 12.5", raw=(given,))
        if not number.is_finite():
            return Parsed(error="Enter a number, like 3 or 12.5", raw=(given,))
        low, high = question.settings.get("min_value"), question.settings.get("max_value")
        if (low is not None and number < Decimal(str(low))) or (
            high is not None and number > Decimal(str(high))
        ):
            return Parsed(error=self.range_message(low, high), raw=(given,))
        value: int | float = int(number) if number == number.to_integral_value() else float(number)
        return Parsed(value=value, raw=(given,))

    @staticmethod
    def range_message(low: Any, high: Any) -> str:
        if low is not None and high is not None:
            return f"Enter a number between {low} and {high}"
        if low is not None:
            return f"Enter a number of {low} or more"
        return f"Enter a number of {high} or less"

    def settings_from_form(self, data: dict[str, Any]) -> dict[str, Any]:
        return {key: data[key] for key in ("min_value", "max_value") if data.get(key) is not None}


class Email(QuestionType):
    key = "email"
    name = "Email address"

    def parse(self, question: Question, raw: Sequence[str]) -> Parsed:
        given = _first(raw)
        if not given:
            return Parsed(error="Enter an email address" if question.required else None)
        try:
            checked = validate_email(given, check_deliverability=False)
        except EmailNotValidError:
            message = "Enter an email address in the correct format, like name@example.com"
            return Parsed(error=message, raw=(given,))
        return Parsed(value=checked.normalized, raw=(given,))


MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
PARTS = ("day", "month", "year")


class DateInput(QuestionType):
    """The GOV.UK date input: day, month and year boxes; month names are accepted too."""

    key = "date"
    name = "Date (day, month and year)"

    def part_field(self, question: Question, part: str) -> str:
        return f"{question.field_name}-{part}"

    def read(self, question: Question, form: Form) -> Parsed:
        raw = tuple((form.get(self.part_field(question, p)) or [""])[0].strip() for p in PARTS)
        day, month, year = raw
        if not any(raw):
            return Parsed(error="Enter a date" if question.required else None, raw=raw)
        missing = [p for p, v in zip(PARTS, raw, strict=True) if not v]
        if missing:
            return Parsed(error=f"The date must include a {' and '.join(missing)}", raw=raw)
        month_number = MONTHS.get(month.lower(), int(month) if month.isdigit() else 0)
        if not (day.isdigit() and year.isdigit() and len(year) == 4 and month_number):
            return Parsed(error="The date must be a real date, like 27 3 2007", raw=raw)
        try:
            value = date(int(year), month_number, int(day))
        except ValueError:
            return Parsed(error="The date must be a real date, like 27 3 2007", raw=raw)
        return Parsed(value=value.isoformat(), raw=raw)

    def error_target(self, question: Question) -> str:
        return self.part_field(question, "day")

    def display(self, question: Question, value: Any, text: str | None = None) -> str:
        if not value:
            return ""
        day = date.fromisoformat(value)
        return f"{day.day} {day:%B %Y}"


POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def postcode_district(text: str) -> str | None:
    """The outward part of a UK postcode (``KA1`` of ``ka1 1aa``), or None if it is not one."""
    match = POSTCODE.match(re.sub(r"\s+", " ", text.strip().upper()))
    return match.group(1) if match else None
