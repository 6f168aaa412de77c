"""Form pieces shared by staff pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import Field
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms stops at 3.2

__all__ = ["GovDateField", "SelectChoice", "error_list"]


class GovDateField(Field):
    """A GOV.UK three-part date (day, month, year). Empty is allowed unless ``required``."""

    widget = GovDateInput()

    def __init__(
        self, label: str = "", validators: Any = None, *, required: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.required = required
        self.data: date | None = None

    def _value(self) -> str:
        return self.data.strftime("%d %m %Y") if self.data else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:  # not in the form at all (a GET form's filters): show it empty
            self.raw_data = None
        parts = [v.strip() for v in valuelist[:3]]
        if not any(parts):
            self.data = None
            if self.required:
                raise ValueError(f"Enter the {self.label.text.lower()}")
            return
        if len(parts) < 3 or not all(p.isdigit() for p in parts):
            raise ValueError(f"The {self.label.text.lower()} must be a real date, like 27 3 2027")
        try:
            self.data = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise ValueError(
                f"The {self.label.text.lower()} must be a real date, like 27 3 2027"
            ) from None

    def at(self, clock: time) -> datetime | None:
        return datetime.combine(self.data, clock, tzinfo=UTC) if self.data else None


def error_list(form: FlaskForm) -> list[dict[str, str]]:
    """Errors for the GOV.UK summary, each linking to the input it is about."""
    items = []
    for field in form:
        if field.errors:
            target = f"{field.id}-day" if isinstance(field, GovDateField) else field.id
            items.append({"text": str(field.errors[0]), "href": f"#{target}"})
    return items
