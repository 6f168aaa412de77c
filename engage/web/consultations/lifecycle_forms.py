"""Forms for a consultation's details, its documents and its published results."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from engage.web.forms import GovDateField, SelectChoice
from surveys.documents import MAX_BYTES
from surveys.models import TOPICS

YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


class DetailsForm(FlaskForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter a title"),
            Length(max=200, message="Keep the title to 200 characters or fewer"),
        ],
    )
    summary = TextAreaField(
        "Summary",
        description="What the consultation is about and why it matters, in plain English",
        widget=GovTextArea(),
        validators=[InputRequired("Enter a summary")],
    )
    opens = GovDateField("Opening date", description="For example, 27 3 2027")
    closes = GovDateField("Closing date", description="For example, 27 4 2027")
    topic = RadioField(
        "Topic",
        description="Residents can filter the consultations on the hub by topic",
        choices=[SelectChoice("", "No particular topic")]
        + [SelectChoice(key, label) for key, label in TOPICS.items()],
        default="",
        widget=GovRadioInput(),
        validators=[Optional()],
    )
    # Choices are the partnership's localities (the LOCALITIES setting), set by the view.
    localities = SelectMultipleField(
        "Which areas is it about?",
        description="Leave them all unticked if it is about the whole partnership area",
        widget=GovCheckboxesInput(),
        validators=[Optional()],
    )
    other_ways = TextAreaField(
        "Other ways to respond (optional)",
        description="How people can respond on paper, by phone or at an event, shown on the "
        "consultation's public page",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=4000, message="Keep this to 4000 characters or fewer")],
    )
    anonymous = RadioField(
        "Is it anonymous?",
        description="Anonymous consultations ask for nothing that identifies a person",
        choices=YES_NO,
        default="yes",
        widget=GovRadioInput(),
    )
    equalities = RadioField(
        "Ask the equalities monitoring questions?",
        description="Optional questions about age, sex, disability, ethnicity and more, asked "
        "after the last page and kept apart from the answers",
        choices=YES_NO,
        default="no",
        widget=GovRadioInput(),
    )
    submit = SubmitField("Save details", widget=GovSubmitInput())

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.opens.data and self.closes.data and self.closes.data <= self.opens.data:
            self.closes.errors = [
                *self.closes.errors,
                "The closing date must be after the opening date",
            ]
            ok = False
        return ok


class DocumentForm(FlaskForm):
    title = StringField(
        "Title of the document",
        description="For example, Draft Local Outcomes Improvement Plan 2027 to 2037",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the title of the document"),
            Length(max=200, message="Keep the title to 200 characters or fewer"),
        ],
    )
    file = FileField(
        "Upload a file",
        description="A PDF, Word or OpenDocument text, spreadsheet, CSV, text file or image, "
        f"smaller than {MAX_BYTES // (1024 * 1024)} MB",
        widget=GovFileInput(),
        validators=[FileRequired("Select a file")],
    )
    submit = SubmitField("Upload document", widget=GovSubmitInput())


class ResultsForm(FlaskForm):
    we_asked = TextAreaField(
        "We asked",
        description="What the consultation asked, and who took part",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the ‘We asked’ text")],
    )
    you_said = TextAreaField(
        "You said",
        description="What people told us, in plain English",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the ‘You said’ text")],
    )
    we_did = TextAreaField(
        "We did",
        description="What the partnership has done or will do because of it",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the ‘We did’ text")],
    )
    draft = SubmitField(
        "Draft ‘We asked’ and ‘You said’ from the approved themes", widget=GovSubmitInput()
    )
    preview = SubmitField("Preview", widget=GovSubmitInput())
    submit = SubmitField("Publish results", widget=GovSubmitInput())
