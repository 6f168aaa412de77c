"""Forms for codebooks and their themes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

MAX_UPLOAD_BYTES = 1024 * 1024

NAME_HINT = "For example, Strategic priorities 2027 to 2037"
SHARED_HINT = "Officers of every partner can then read it and map answers onto it"


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _name() -> StringField:
    return StringField(
        "Name of the codebook",
        description=NAME_HINT,
        filters=[_strip],
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter a name for the codebook"),
            Length(max=200, message="Keep the name to 200 characters or fewer"),
        ],
    )


def _shared() -> BooleanField:
    return BooleanField(
        "Share it with all partners", description=SHARED_HINT, widget=GovCheckboxInput()
    )


class CodebookForm(FlaskForm):
    name = _name()
    shared = _shared()
    submit = SubmitField("Save", widget=GovSubmitInput())


class UploadForm(FlaskForm):
    name = _name()
    shared = _shared()
    file = FileField(
        "Upload a codebook file",
        description='A JSON file like {"themes": [{"id": "housing", "label": "Affordable '
        'housing", "description": "...", "examples": ["..."]}]}, smaller than 1 MB',
        widget=GovFileInput(),
        validators=[FileRequired("Select a codebook file")],
    )
    submit = SubmitField("Upload", widget=GovSubmitInput())


class ThemeForm(FlaskForm):
    label = StringField(
        "Theme",
        description="A few words, such as Older people: adding life to years",
        filters=[_strip],
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the theme"),
            Length(max=200, message="Keep the theme to 200 characters or fewer"),
        ],
    )
    description = TextAreaField(
        "Description (optional)",
        description="What answers about this theme talk about, in the words residents use",
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(max=2000, message="Keep the description to 2000 characters or fewer"),
        ],
    )
    examples = TextAreaField(
        "Example answers (optional)",
        description="One answer per line. Three or more for every theme help the most.",
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(max=20000, message="Keep the examples to 20000 characters or fewer"),
        ],
    )
    submit = SubmitField("Save theme", widget=GovSubmitInput())
