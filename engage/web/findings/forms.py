"""The findings page's choice of group to break choice results down by: a GET form, so the
page works without JavaScript and a breakdown can be bookmarked and shared."""

from __future__ import annotations

from collections.abc import Sequence

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField
from wtforms.validators import AnyOf

NOT_BROKEN_DOWN = ""


class ChoiceGroupsForm(FlaskForm):
    class Meta:
        csrf = False  # reads only; nothing changes

    by = SelectField(
        "Break the choice results down by",
        description="Groups of fewer than 10 people are not shown.",
        default=NOT_BROKEN_DOWN,
        validate_choice=False,  # AnyOf below says so in plain English
        widget=GovSelect(),
    )
    submit = SubmitField("Show", widget=GovSubmitInput())

    def offer(self, attributes: Sequence[tuple[str, str]]) -> None:
        """The attributes this consultation's answers can be broken down by, as (key, title)."""
        self.by.choices = [(NOT_BROKEN_DOWN, "Not broken down"), *attributes]
        self.by.validators = [
            AnyOf(
                [NOT_BROKEN_DOWN, *(key for key, _ in attributes)],
                message="Choose a group from the list",
            )
        ]
