"""Forms for the scorecard: nominated staff per partner, and which survey this one follows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import Field, RadioField, SubmitField
from wtforms.validators import InputRequired

from engage.scorecard.services import MAX_NOMINATED
from engage.web.forms import SelectChoice

NONE = "none"


class CountField(Field):
    """A whole number of people; empty means "not recorded"."""

    widget = GovTextInput()

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip().replace(",", "")
        if not text:
            self.data = None
            return
        if not text.isdigit():
            self.data = None
            raise ValueError(f"Enter the number of staff {self.label.text} nominated, like 25")
        if int(text) > MAX_NOMINATED:
            raise ValueError(f"Give a number no bigger than {MAX_NOMINATED:,}")
        self.data = int(text)


class NominationsForm(FlaskForm):
    submit = SubmitField("Save the numbers", widget=GovSubmitInput())

    @property
    def counts(self) -> list[CountField]:
        return [f for f in self if isinstance(f, CountField)]


def nominations_form(
    options: Sequence[Mapping[str, str]], current: Mapping[str, int], hints: Mapping[str, str]
) -> NominationsForm:
    """One number field per option of the organisation question, filled with what is stored
    (a posted form fills it with what was entered instead)."""

    class Form(NominationsForm):
        pass

    for option in options:
        field = CountField(option["label"], description=hints.get(option["value"], ""))
        setattr(Form, f"n_{option['value']}", field)
    return Form(data={f"n_{v}": n for v, n in current.items()})


class NominationsFileForm(FlaskForm):
    file = FileField(
        "Upload a CSV file",
        description="Two columns: the organisation's name as the survey gives it, and the number "
        "of staff it nominated. A heading row is fine.",
        widget=GovFileInput(),
        validators=[FileRequired("Select a CSV file")],
    )
    upload = SubmitField("Upload the numbers", widget=GovSubmitInput())


class PreviousForm(FlaskForm):
    previous = RadioField(
        "Which survey does this one follow?",
        description="Its answers are set beside this survey's on the year-on-year page",
        widget=GovRadioInput(),
        validators=[InputRequired("Choose the survey this one follows, or None")],
        validate_choice=False,  # scorecard.set_previous refuses a survey not listed, in words
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def set_choices(self, choices: Sequence[tuple[int, str]]) -> None:
        self.previous.choices = [SelectChoice(str(i), label) for i, label in choices] + [
            SelectChoice(NONE, "None: it is not a repeat of an earlier survey")
        ]
