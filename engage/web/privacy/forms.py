"""Forms for a consultation's retention schedule and the administrators' people search."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, ValidationError

from engage.web.forms import SelectChoice

PERIODS = [
    ("183", "6 months"),
    ("365", "1 year"),
    ("730", "2 years"),
    ("1095", "3 years"),
    ("1826", "5 years"),
]
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


class RetentionForm(FlaskForm):
    days = RadioField(
        "How long should the responses be kept as given after the consultation closes?",
        choices=[SelectChoice(value, label) for value, label in PERIODS],
        widget=GovRadioInput(),
        validators=[InputRequired("Select how long to keep the responses")],
    )
    action = RadioField(
        "What should happen to the responses then?",
        choices=[
            SelectChoice("anonymise", "Anonymise them (recommended)"),
            SelectChoice("delete", "Delete them"),
        ],
        widget=GovRadioInput(),
        validators=[InputRequired("Select what should happen to the responses")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class PersonSearchForm(FlaskForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[Length(max=320, message="Enter no more than 320 characters")],
    )
    name = StringField(
        "Full name",
        description="For paper records and sign-ups: the name exactly as the person gives it",
        widget=GovTextInput(),
        validators=[Length(max=200, message="Enter no more than 200 characters")],
    )
    postcode = StringField(
        "Postcode (optional)",
        description="With a name, finds only records that also give this postcode",
        widget=GovTextInput(),
        validators=[Length(max=10, message="Enter no more than 10 characters")],
    )
    submit = SubmitField("Find", widget=GovSubmitInput())

    def validate_email(self, field: StringField) -> None:
        value = (field.data or "").strip()
        if value and not EMAIL.match(value):
            raise ValidationError(
                "Enter an email address in the correct format, like name@example.com"
            )
        if not value and not (self.name.data or "").strip():
            raise ValidationError("Enter an email address, or a name")

    def validate_postcode(self, field: StringField) -> None:
        value = " ".join((field.data or "").upper().split())
        if not value:
            return
        if not POSTCODE.match(value):
            raise ValidationError("Enter a real postcode, like KA1 1AA")
        if not (self.name.data or "").strip():
            raise ValidationError("Enter the person’s name as well as their postcode")


class EraseForm(FlaskForm):
    confirm = SelectMultipleField(
        "Confirm",
        choices=[SelectChoice("yes", "The person asked for their data to be erased")],
        widget=GovCheckboxesInput(),
        validators=[
            InputRequired(
                "Tick the box to confirm that the person asked for their data to be erased"
            )
        ],
    )
    submit = SubmitField("Erase", widget=GovSubmitInput())
