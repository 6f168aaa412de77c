"""Form pieces shared by staff pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from werkzeug.datastructures import MultiDict
from wtforms import Field, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms stops at 3.2
from wtforms.utils import unset_value

__all__ = [
    "GovDateField",
    "PartsDateField",
    "SelectChoice",
    "error_list",
    "first_errors",
    "text",
    "typed",
]


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


class PartsDateField(GovDateField):
    """A GOV.UK date whose three inputs are named NAME-day, NAME-month and NAME-year, as the
    hand-laid date inputs of the events and panel pages name them."""

    PARTS = ("day", "month", "year")

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        if formdata is not None:
            keys = [f"{self.name}-{part}" for part in self.PARTS]
            present = any(key in formdata for key in keys)
            formdata = MultiDict(
                {self.name: [formdata.get(k, "") for k in keys]} if present else {}
            )
        super().process(formdata, data, extra_filters)

    def parts(self) -> dict[str, str]:
        """The three inputs as typed (or as stored), for showing the form again."""
        if self.raw_data:
            values = [v.strip() for v in self.raw_data]
        elif self.data:
            values = [str(self.data.day), str(self.data.month), str(self.data.year)]
        else:
            values = ["", "", ""]
        return {
            f"{self.name}-{part}": value for part, value in zip(self.PARTS, values, strict=True)
        }


def stripped(value: str | None) -> str:
    return (value or "").strip()


class Text(StringField):
    """A text input whose value arrives without surrounding spaces ("" when not sent)."""

    data: str


def text(*validators: Any, **kwargs: Any) -> Text:
    return Text(validators=list(validators), filters=[stripped], **kwargs)


def first_errors(form: FlaskForm) -> dict[str, str]:
    """The first error of each field, keyed by the id of the input the summary links to."""
    errors = {}
    for field in form:
        if field.errors:
            target = f"{field.id}-day" if isinstance(field, GovDateField) else field.id
            errors[target] = str(field.errors[0])
    return errors


def typed(form: FlaskForm) -> dict[str, Any]:
    """What each field holds, as typed, to show a form again exactly as it was sent."""
    values: dict[str, Any] = {}
    for field in form:
        if isinstance(field, PartsDateField):
            values.update(field.parts())
        elif field.type in ("SelectMultipleField", "BooleanField"):
            values[field.name] = field.data
        elif field.name != "csrf_token":
            values[field.name] = "" if field.data is None else field.data
    return values
