"""Locality (a list of areas, or a postcode mapped to one), consent, and information text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from surveys.questions.base import Form, Parsed, QuestionType
from surveys.questions.text import postcode_district

if TYPE_CHECKING:
    from surveys.models import Question


class Locality(QuestionType):
    """The partnership's localities (community council areas, say).

    A person may pick their area or give their postcode; the postcode is mapped to an area by
    its district (``settings["postcodes"]``: district → option value) and is not itself stored.
    """

    key = "locality"
    name = "Locality (area list, or a postcode matched to an area)"
    has_options = True
    closed = True

    def postcode_field(self, question: Question) -> str:
        return f"{question.field_name}-postcode"

    def read(self, question: Question, form: Form) -> Parsed:
        chosen = (form.get(question.field_name) or [""])[0]
        postcode = (form.get(self.postcode_field(question)) or [""])[0].strip()
        raw = (chosen, postcode)
        valid = {o["value"] for o in question.options}
        if chosen:
            if chosen not in valid:
                return Parsed(error="Select one of the areas shown", raw=raw)
            return Parsed(value=chosen, raw=raw)
        if postcode:
            district = postcode_district(postcode)
            if district is None:
                return Parsed(error="Enter a real postcode, like KA1 1AA", raw=raw)
            area = (question.settings.get("postcodes") or {}).get(district)
            by_label = {o["label"].lower(): o["value"] for o in question.options}
            mapped = area if area in valid else by_label.get(str(area).lower())
            if mapped is None:
                message = "We could not match that postcode to an area: select your area"
                return Parsed(error=message, raw=raw)
            return Parsed(value=mapped, raw=raw)
        error = "Select your area or enter your postcode" if question.required else None
        return Parsed(error=error, raw=raw)

    def display(self, question: Question, value: Any, text: str | None = None) -> str:
        return "" if value is None else question.option_label(str(value))

    def settings_from_form(self, data: dict[str, Any]) -> dict[str, Any]:
        """``KA1: Drumlee`` lines map postcode districts to areas."""
        postcodes = {}
        for line in (data.get("postcodes") or "").splitlines():
            district, _, area = line.partition(":")
            if district.strip() and area.strip():
                postcodes[district.strip().upper()] = area.strip()
        return {"postcodes": postcodes} if postcodes else {}


class Consent(QuestionType):
    """A box the person must tick, for example to agree to how their answers are used."""

    key = "consent"
    name = "Consent (a box that must be ticked)"

    def parse(self, question: Question, raw: Sequence[str]) -> Parsed:
        if "yes" in raw:
            return Parsed(value=True, raw=("yes",))
        return Parsed(error="Tick the box to say you agree")

    def display(self, question: Question, value: Any, text: str | None = None) -> str:
        return "Agreed" if value else ""


class Information(QuestionType):
    """Text between questions: a heading and a paragraph, with nothing to answer."""

    key = "information"
    name = "Information text (nothing to answer)"
    has_input = False
