"""The audit page's filters: a GET form, so filtered pages can be bookmarked and shared."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Length, ValidationError

from engage.audit.services import ACTIONS
from engage.web.forms import GovDateField, SelectChoice


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # reads only; nothing changes

    action = SelectField(
        "What happened",
        choices=[SelectChoice(v, label) for v, label in [("", "Anything"), *ACTIONS.items()]],
        default="",
        widget=GovSelect(),
    )
    who = StringField(
        "Who",
        description="Part of a name or email address",
        validators=[Length(max=200, message="Enter no more than 200 characters")],
        widget=GovTextInput(),
    )
    since = GovDateField("From", description="For example, 1 4 2027")
    until = GovDateField("To", description="For example, 30 4 2027")
    submit = SubmitField("Filter", widget=GovSubmitInput())

    def validate_until(self, field: GovDateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The ‘To’ date must be the same as or after the ‘From’ date")
