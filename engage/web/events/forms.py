"""The events pages' forms: the officers' event form and the sign-up (or nomination) form.

Each is a Flask-WTF form that reads and checks what was sent; the pages show it again from
``typed`` and ``first_errors`` (engage/web/forms.py), so nothing typed is lost."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import datetime, time
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectField, SelectMultipleField, ValidationError
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp

from engage.dates import UK
from engage.events.models import AUDIENCE_LABELS, KIND_LABELS, Event
from engage.events.services import EMAIL, NEEDS, PHONE, Details, check_reason
from engage.web.forms import PartsDateField, text
from surveys.models import Organisation

TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


def parse_time(typed: str) -> time | None:
    match = TIME.match(typed.strip().lower())
    if not match:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def whole_number(low: int, high: int, message: str) -> Any:
    def check(form: FlaskForm, field: Field) -> None:
        if field.data and (not field.data.isdigit() or not low <= int(field.data) <= high):
            raise ValidationError(message)

    return check


class EventForm(FlaskForm):
    """An event as an officer types it; ``offer`` sets the areas and consultations to pick."""

    kind = RadioField(
        validate_choice=False,
        validators=[AnyOf(list(KIND_LABELS), message="Select the type of event")],
    )
    title = text(
        DataRequired("Enter the event's title"),
        Length(max=200, message="The title must be 200 characters or fewer"),
    )
    description = text()
    agenda = text()
    locality = SelectField(validate_choice=False, filters=[lambda v: (v or "").strip()])
    venue = text()
    access_info = text()
    online_link = text(
        Optional(),
        Regexp(r"^https?://", message="Enter the online link as a web address, like https://..."),
    )
    date = PartsDateField("Date of the event", required=True)
    start_time = text()
    end_time = text()
    capacity = text(whole_number(1, 10000, "Enter the number of places as a whole number, like 40"))
    audience = RadioField(
        validate_choice=False,
        validators=[AnyOf(list(AUDIENCE_LABELS), message="Select who the event is for")],
    )
    consultation = SelectField(validate_choice=False, filters=[lambda v: (v or "").strip()])
    opens = PartsDateField("Sign-up opening date")
    closes = PartsDateField("Sign-up closing date")
    reminder_hours = text(
        whole_number(0, 24 * 14, "Enter how many hours before to remind, like 48, or 0 for none")
    )

    def offer(self, localities: Collection[str], consultations: Collection[int]) -> None:
        self.localities = set(localities)
        self.consultations = {str(c) for c in consultations}

    def validate_locality(self, field: Field) -> None:
        if field.data and field.data not in self.localities:
            raise ValidationError("Select the area the event is for")

    def validate_venue(self, field: Field) -> None:
        if not field.data and not self.online_link.data:
            raise ValidationError("Enter the venue, or an online link below")

    def validate_start_time(self, field: Field) -> None:
        if parse_time(field.data) is None:
            raise ValidationError("Enter the start time, like 18:30 or 6:30pm")

    def validate_end_time(self, field: Field) -> None:
        end, start = parse_time(field.data), parse_time(self.start_time.data)
        if end is None:
            raise ValidationError("Enter the end time, like 20:00 or 8pm")
        if start is not None and end <= start:
            raise ValidationError("The end time must be after the start time")

    def validate_consultation(self, field: Field) -> None:
        if field.data and field.data not in self.consultations:
            raise ValidationError("Select a consultation from the list")

    def validate_closes(self, field: Field) -> None:
        if field.data and self.opens.data and field.data <= self.opens.data:
            raise ValidationError("Sign-up must close after it opens")

    def cleaned(self) -> dict[str, Any]:
        """The fields as the events service takes them (call after ``validate``)."""
        day = self.date.data
        start, end = parse_time(self.start_time.data), parse_time(self.end_time.data)
        assert day is not None
        assert start is not None
        assert end is not None
        opens, closes = self.opens.data, self.closes.data
        return {
            "kind": self.kind.data,
            "title": self.title.data,
            "description": self.description.data,
            "agenda": self.agenda.data,
            "locality": self.locality.data,
            "venue": self.venue.data,
            "access_info": self.access_info.data,
            "online_link": self.online_link.data,
            "audience": self.audience.data,
            "starts_at": datetime.combine(day, start, tzinfo=UK),
            "ends_at": datetime.combine(day, end, tzinfo=UK),
            "capacity": int(self.capacity.data) if self.capacity.data else None,
            "consultation_id": int(self.consultation.data) if self.consultation.data else None,
            "reminder_hours": int(self.reminder_hours.data or 0),
            "signup_opens_at": datetime.combine(opens, time(0), tzinfo=UK) if opens else None,
            "signup_closes_at": (
                datetime.combine(closes, time(23, 59), tzinfo=UK) if closes else None
            ),
        }


def values_of(event: Event) -> dict[str, Any]:
    """An event as its form shows it before any change."""
    start, end = event.starts_at.astimezone(UK), event.ends_at.astimezone(UK)
    values: dict[str, Any] = {
        "kind": event.kind,
        "title": event.title,
        "description": event.description,
        "agenda": event.agenda,
        "locality": event.locality,
        "venue": event.venue,
        "access_info": event.access_info,
        "online_link": event.online_link,
        "start_time": f"{start:%H:%M}",
        "end_time": f"{end:%H:%M}",
        "capacity": "" if event.capacity is None else str(event.capacity),
        "audience": event.audience,
        "consultation": str(event.consultation_id or ""),
        "reminder_hours": str(event.reminder_hours),
    }
    for prefix, value in (
        ("date", start),
        ("opens", event.signup_opens_at),
        ("closes", event.signup_closes_at),
    ):
        if value is not None:
            local = value.astimezone(UK)
            values.update(
                {
                    f"{prefix}-day": str(local.day),
                    f"{prefix}-month": str(local.month),
                    f"{prefix}-year": str(local.year),
                }
            )
    return values


class SignUpForm(FlaskForm):
    """A person's details and needs, typed by them or by a partner nominating them."""

    name = text(
        DataRequired("Enter your full name"),
        Length(max=200, message="Your name must be 200 characters or fewer"),
    )
    email = text(
        DataRequired("Enter your email address, so we can send your confirmation"),
        Length(
            max=320, message="Enter an email address in the correct format, like name@example.com"
        ),
        Regexp(
            EMAIL, message="Enter an email address in the correct format, like name@example.com"
        ),
    )
    phone = text(
        Optional(),
        Regexp(PHONE, message="Enter a telephone number, like 01632 960 001 or 07700 900 982"),
    )
    organisation_name = text(
        Length(max=200, message="The organisation must be 200 characters or fewer")
    )
    locality = SelectField(validate_choice=False, filters=[lambda v: (v or "").strip()])
    needs = SelectMultipleField(
        validate_choice=False,
        filters=[lambda codes: [c for c in codes or [] if c in NEEDS]],
    )
    needs_detail = text(Length(max=1000, message="Tell us in 1,000 characters or fewer"))

    def offer(self, localities: Collection[str]) -> None:
        self.localities = set(localities)

    def validate_locality(self, field: Field) -> None:
        if field.data and field.data not in self.localities:
            raise ValidationError("Select the area you live or work in")

    def validate_needs_detail(self, field: Field) -> None:
        if "dietary" in (self.needs.data or []) and not field.data:
            raise ValidationError("Tell us your dietary needs, like vegetarian or no nuts")

    def details(self) -> Details:
        return Details(
            name=self.name.data,
            email=self.email.data,
            phone=self.phone.data,
            organisation_name=self.organisation_name.data,
            locality=self.locality.data,
            needs=list(self.needs.data or []),
            needs_detail=self.needs_detail.data,
        )


class CancelForm(FlaskForm):
    """Cancelling an event: the reason people are told, and which step the officer is at."""

    reason = text()
    action = text()  # "change" (back to the reason), "confirm", or "" (check what will happen)

    def validate_reason(self, field: Field) -> None:
        problem = check_reason(field.data)
        if problem:
            raise ValidationError(problem)


class RegisterForm(FlaskForm):
    """The register on the day: a check-in code typed in, or the ticked list saved."""

    code = text()
    attended = SelectMultipleField(validate_choice=False)

    def by_code(self) -> bool:
        return "code" in request.form

    def ticked(self) -> set[int]:
        return {int(v) for v in self.attended.data or [] if v.isdigit()}


class OutcomesForm(FlaskForm):
    outcomes = text(Length(max=20000, message="Keep the outcomes to 20,000 characters or fewer"))


class FeedbackForm(FlaskForm):
    action = text()  # "create" the feedback survey; otherwise send it


def allocations_form(partners: Collection[Organisation]) -> FlaskForm:
    """Places kept for each partner's nominations: a whole number, or blank for no limit."""

    class AllocationsForm(FlaskForm):
        def places(self) -> dict[int, int | None]:
            return {
                p.id: int(self[f"places_{p.id}"].data) if self[f"places_{p.id}"].data else None
                for p in partners
            }

        def typed(self) -> dict[int, str]:
            return {p.id: self[f"places_{p.id}"].data for p in partners}

    for partner in partners:
        message = f"Enter {partner.name}'s places as a whole number, like 3"
        setattr(
            AllocationsForm,
            f"places_{partner.id}",
            text(whole_number(0, 1000, message), name=f"places-{partner.id}"),
        )
    return AllocationsForm()
