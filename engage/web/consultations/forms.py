from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from engage.web.forms import GovDateField, SelectChoice
from surveys.questions import QUESTION_TYPES


class ConsultationForm(FlaskForm):
    # Choices are "blank" and the keys of surveys.definitions.available(), set by the view.
    start = RadioField(
        "How do you want to start?",
        default="blank",
        widget=GovRadioInput(),
    )
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
        description="What the consultation is about and why it matters, in plain English. "
        "Leave it blank to use the template's summary when you start from a template.",
        widget=GovTextArea(),
        validators=[Optional()],
    )
    organisation_id = SelectField(
        "Owning organisation",
        coerce=int,
        widget=GovSelect(),
        validators=[InputRequired("Choose the organisation that runs this consultation")],
    )
    opens = GovDateField(
        "Opening date",
        description="For example, 27 3 2027. Leave blank to open it when you press Open.",
    )
    closes = GovDateField("Closing date", required=True, description="For example, 27 4 2027")
    submit = SubmitField("Save and continue", widget=GovSubmitInput())

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if self.start.data == "blank" and not (self.summary.data or "").strip():
            self.summary.errors = [*self.summary.errors, "Enter a summary"]
            ok = False
        if ok and self.opens.data and self.closes.data and self.closes.data <= self.opens.data:
            self.closes.errors = [
                *self.closes.errors,
                "The closing date must be after the opening date",
            ]
            ok = False
        return ok


class QuestionForm(FlaskForm):
    type = RadioField(
        "Type of question",
        choices=[SelectChoice(key, t.name) for key, t in QUESTION_TYPES.items()],
        widget=GovRadioInput(),
        validators=[InputRequired("Choose the type of question")],
    )
    page_id = SelectField(
        "Page",
        description="The page of the survey this question is on",
        coerce=int,
        widget=GovSelect(),
    )
    title = TextAreaField(
        "Question",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the question")],
    )
    hint = StringField("Hint (optional)", widget=GovTextInput(), validators=[Optional()])
    required = RadioField(
        "Must people answer it?",
        choices=[
            SelectChoice("yes", "Yes, an answer is required"),
            SelectChoice("no", "No, it is optional"),
        ],
        default="no",
        widget=GovRadioInput(),
    )
    options = TextAreaField(
        "Options (choice, rating, matrix scale, ranking and locality questions)",
        description="One option on each line. Rating scales and matrices use agree to "
        "disagree when left empty; locality questions use the partnership's areas.",
        widget=GovTextArea(),
        validators=[Optional()],
    )
    display = RadioField(
        "Show single choice options as",
        choices=[
            SelectChoice("radios", "Radio buttons"),
            SelectChoice("dropdown", "A dropdown list (for long lists)"),
        ],
        default="radios",
        widget=GovRadioInput(),
    )
    allow_other = RadioField(
        "Offer “Other, please specify”? (choice questions)",
        choices=[SelectChoice("no", "No"), SelectChoice("yes", "Yes")],
        default="no",
        widget=GovRadioInput(),
    )
    rows = TextAreaField(
        "Rows (matrix questions)",
        description="One row on each line, for example a service or a statement",
        widget=GovTextArea(),
        validators=[Optional()],
    )
    min_value = IntegerField(
        "Smallest number allowed (number questions, optional)",
        widget=GovTextInput(),
        validators=[Optional()],
    )
    max_value = IntegerField(
        "Largest number allowed (number questions, optional)",
        widget=GovTextInput(),
        validators=[Optional()],
    )
    postcodes = TextAreaField(
        "Postcode districts (locality questions, optional)",
        description="One on each line, like KA1: Drumlee",
        widget=GovTextArea(),
        validators=[Optional()],
    )
    max_choices = IntegerField(
        "Most options a person may tick (multiple choice, optional)",
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(min=1, message="Enter a number of 1 or more")],
    )
    max_length = IntegerField(
        "Most characters allowed (free text, optional)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            NumberRange(min=50, max=20000, message="Enter a number from 50 to 20000"),
        ],
    )
    submit = SubmitField("Add question", widget=GovSubmitInput())


class EditQuestionForm(QuestionForm):
    """Every field of the add form except the type, which a question keeps."""

    # WTForms drops a parent's field when a subclass sets its name to None.
    type = None  # type: ignore[assignment]
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class PageForm(FlaskForm):
    title = StringField(
        "Page title (optional)",
        description="Shown as the page's heading, for example “Your area”",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=200, message="Keep the title to 200 characters or fewer"),
        ],
    )
    intro = TextAreaField(
        "Introduction (optional)",
        description="A sentence or two shown above the page's questions",
        widget=GovTextArea(),
        validators=[Optional()],
    )
    submit = SubmitField("Save page", widget=GovSubmitInput())


class DeletePageForm(FlaskForm):
    move_to = RadioField(
        "Move its questions to",
        coerce=int,
        widget=GovRadioInput(),
        validators=[Optional()],
    )
    submit = SubmitField("Delete page", widget=GovSubmitInput())


class ConditionForm(FlaskForm):
    source = RadioField(
        "When should people be asked this question?",
        widget=GovRadioInput(),
        validators=[InputRequired("Choose when to ask this question")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class ConditionValuesForm(FlaskForm):
    values = SelectMultipleField(
        "Ask it only if the answer is one of",
        description="Select all that apply",
        widget=GovCheckboxesInput(),
        validators=[InputRequired("Select at least one answer")],
    )
    submit = SubmitField("Save condition", widget=GovSubmitInput())


def routing_form(
    options: list[dict[str, str]], targets: list[SelectChoice], data: dict[str, str]
) -> FlaskForm:
    """One dropdown per option of a choice question: next page (the default), a later page or
    the end. Built per question, since each has its own options."""

    class RoutingForm(FlaskForm):
        submit = SubmitField("Save routing", widget=GovSubmitInput())

    for option in options:
        field = SelectField(
            f"If the answer is “{option['label']}”",
            choices=targets,
            default="next",
            widget=GovSelect(),
        )
        setattr(RoutingForm, f"route_{option['value']}", field)
    return RoutingForm(data=data)


class ActionForm(FlaskForm):
    """A button that changes something: it carries only the CSRF token."""


class AnalysisForm(FlaskForm):
    """How a run finds themes: freely, or by mapping answers onto a codebook.

    Choices are "free" and "codebook-<id>" for each codebook the officer may use, set by the view.
    """

    method = RadioField(
        "How should themes be found?",
        default="free",  # the consultation page's own button sends no choice
        widget=GovRadioInput(),
    )
    submit = SubmitField("Find themes", widget=GovSubmitInput())
