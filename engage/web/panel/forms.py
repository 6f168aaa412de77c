"""The Residents' Panel pages' forms: a member's details (joining, changing them, or keyed in
from a signed paper form), an exercise and a newsletter.

Each is a Flask-WTF form that reads and checks what was sent; the pages show it again from
what it holds, so nothing typed is lost."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime, time
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    RadioField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp

from engage import newsletters
from engage.panel import profile
from engage.panel.services import EMAIL, PHONE, POSTCODE, Details
from engage.web.forms import PartsDateField, first_errors, text
from surveys.equalities import BlockQuestion
from surveys.models import Consultation


def chosen(value: str | None) -> str:
    return (value or "").strip()


class MemberForm(FlaskForm):
    """Contact details and preferences, with the equalities profile the panel is balanced on."""

    email_required = False

    name = text(
        DataRequired("Enter your full name"),
        Length(max=200, message="Your name must be 200 characters or fewer"),
    )
    email = text()
    phone = text(
        Optional(),
        Regexp(PHONE, message="Enter a telephone number, like 01632 960 001 or 07700 900 982"),
    )
    address = text()
    postcode = text()
    contact_by = RadioField(
        default="email",
        validate_choice=False,
        validators=[
            AnyOf(["email", "post"], message="Select how you would like us to contact you")
        ],
    )
    newsletters = BooleanField(default=False)  # consent to newsletters is asked, never assumed

    def validate_email(self, field: Field) -> None:
        if field.data and not EMAIL.match(field.data):
            raise ValidationError(
                "Enter an email address in the correct format, like name@example.com"
            )
        if not field.data and (self.email_required or self.contact_by.data == "email"):
            raise ValidationError("Enter your email address")

    def validate_postcode(self, field: Field) -> None:
        if field.data and not POSTCODE.match("".join(field.data.upper().split())):
            raise ValidationError("Enter a real postcode, like KA1 1AA")

    def validate_address(self, field: Field) -> None:
        if self.contact_by.data == "post" and not (field.data and self.postcode.data):
            raise ValidationError("Enter your address and postcode to be contacted by post")

    def check(self, block: Sequence[BlockQuestion]) -> dict[str, str]:
        """Check the details and the profile; errors by the id of the input they are about."""
        errors = {} if self.validate() else first_errors(self)
        self.answers, profile_errors = profile.read(block, request.form.to_dict(flat=False))
        # In the order of the page: the details, the profile, then what the form adds after it.
        mine = {k: v for k, v in errors.items() if k in DETAILS}
        return {**mine, **profile_errors, **{k: v for k, v in errors.items() if k not in mine}}

    def details(self) -> Details:
        return Details(
            name=self.name.data,
            email=self.email.data,
            phone=self.phone.data,
            address=self.address.data,
            postcode=self.postcode.data,
            contact_by=self.contact_by.data or "email",
            newsletters=bool(self.newsletters.data),
        )


DETAILS = {"name", "email", "phone", "address", "postcode", "contact_by", "newsletters"}


class JoinForm(MemberForm):
    email_required = True

    consent = BooleanField(
        validators=[
            DataRequired("Tick the box to say you agree, or you cannot join the panel"),
        ]
    )


class PaperMemberForm(MemberForm):
    """A member keyed in by an officer from a signed paper form."""

    contact_by = RadioField(
        default="post",
        validate_choice=False,
        validators=[
            AnyOf(["email", "post"], message="Select how you would like us to contact you")
        ],
    )
    signed = PartsDateField("Date the form was signed", required=True)
    wave = text(Length(max=100, message="The recruitment wave must be 100 characters or fewer"))
    consent = BooleanField(
        validators=[
            DataRequired("Confirm that the person signed the consent section of the form"),
        ]
    )
    not_duplicate = BooleanField()

    def validate_signed(self, field: Field) -> None:
        if field.data and field.data > datetime.now(UTC).date():
            raise ValidationError("The date the form was signed must be today or in the past")

    def signed_at(self) -> datetime:
        assert self.signed.data is not None
        return datetime.combine(self.signed.data, time(12), tzinfo=UTC)

    def shown(self) -> dict[str, Any]:
        """The fields beyond the details, as typed, for showing the form again."""
        return {
            **self.signed.parts(),
            "wave": self.wave.data,
            "consent": self.consent.data,
            "not_duplicate": self.not_duplicate.data,
        }


REMINDERS = "Enter the days after sending to remind, as whole numbers from 1 to 90, like 7, 14"


class ExerciseForm(FlaskForm):
    """A consultation sent to the whole panel or a balanced sample, with reminders."""

    consultation = SelectField(validate_choice=False, filters=[chosen])
    title = text()
    send = PartsDateField("Date to send")
    audience = RadioField(default="whole", validate_choice=False)
    size = text()
    strata = SelectMultipleField(validate_choice=False)
    reminders = text()

    def offer(self, consultations: dict[int, Consultation], block: Sequence[BlockQuestion]) -> None:
        self.allowed = consultations
        self.keys = {q.key for q in block}

    def validate_consultation(self, field: Field) -> None:
        if not field.data.isdigit() or int(field.data) not in self.allowed:
            raise ValidationError("Select the consultation to send to the panel")

    def validate_size(self, field: Field) -> None:
        if self.audience.data == "sample" and (not field.data.isdigit() or int(field.data) < 1):
            raise ValidationError("Enter how many members to invite, as a whole number like 200")

    def validate_reminders(self, field: Field) -> None:
        if any(not p.isdigit() or not 1 <= int(p) <= 90 for p in self.reminder_days(field.data)):
            raise ValidationError(REMINDERS)

    @staticmethod
    def reminder_days(typed: str) -> list[str]:
        return typed.replace(",", " ").split()

    def values(self) -> dict[str, Any]:
        """The form as typed, for showing it again."""
        return {
            "consultation": self.consultation.data,
            "title": self.title.data,
            "audience": self.audience.data,
            "size": self.size.data,
            "strata": self.chosen_strata(),
            "reminders": self.reminders.data,
            **self.send.parts(),
        }

    def chosen_strata(self) -> list[str]:
        return [k for k in self.strata.data or [] if k in self.keys]

    def cleaned(self) -> dict[str, Any]:
        """What the exercises service takes (call after ``validate``)."""
        consultation = self.allowed[int(self.consultation.data)]
        sample = int(self.size.data) if self.audience.data == "sample" else None
        return {
            "consultation": consultation,
            "title": (self.title.data or consultation.title)[:200],
            "send_on": self.send.at(time(9)),
            "sample_size": sample,
            "strata": self.chosen_strata() if sample else [],
            "reminder_days": [int(p) for p in self.reminder_days(self.reminders.data)],
        }


class NewsletterForm(FlaskForm):
    """A newsletter: a title, an introduction and up to ``newsletters.SECTIONS`` sections, each
    a heading, a body and optionally a consultation whose results it links to."""

    title = text(
        DataRequired("Enter a title for the newsletter"),
        Length(max=200, message="The title must be 200 characters or fewer"),
    )
    intro = text()
    locality = SelectField(validate_choice=False, filters=[chosen])

    def offer(self, with_results: Collection[int]) -> None:
        self.allowed = set(with_results)

    def sections(self) -> list[dict[str, Any]]:
        """The sections with anything in them, each with its number ``n`` on the form."""
        found = []
        for n in range(1, newsletters.SECTIONS + 1):
            heading, body = self[f"heading_{n}"].data, self[f"body_{n}"].data
            link = self[f"results_{n}"].data
            consultation_id = int(link) if link.isdigit() and int(link) in self.allowed else None
            if heading or body or consultation_id:
                found.append(
                    {"heading": heading, "body": body, "consultation_id": consultation_id, "n": n}
                )
        return found

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        sections = self.sections()
        for section in sections:
            if not section["heading"]:
                heading = self[f"heading_{section['n']}"]
                heading.errors = [*heading.errors, f"Enter a heading for section {section['n']}"]
                ok = False
        if not sections and not self.intro.data:
            self.intro.errors = [
                *self.intro.errors,
                "Write an introduction or at least one section",
            ]
            ok = False
        return ok

    def values(self) -> dict[str, Any]:
        return {
            "title": self.title.data,
            "intro": self.intro.data,
            "locality": self.locality.data,
            "sections": self.sections(),
        }


for _n in range(1, newsletters.SECTIONS + 1):
    setattr(NewsletterForm, f"heading_{_n}", text(name=f"heading-{_n}"))
    setattr(NewsletterForm, f"body_{_n}", text(name=f"body-{_n}"))
    setattr(NewsletterForm, f"results_{_n}", text(name=f"results-{_n}"))


class SignInForm(FlaskForm):
    email = text(
        DataRequired("Enter your email address"),
        Regexp(
            EMAIL, message="Enter an email address in the correct format, like name@example.com"
        ),
    )


class EraseForm(FlaskForm):
    confirm = BooleanField(
        validators=[
            DataRequired(
                "Tick the box to confirm that the member asked for their data to be erased"
            )
        ]
    )


class BouncesForm(FlaskForm):
    """Addresses a mail provider reports as undeliverable, pasted in, one on each line."""

    addresses = TextAreaField()

    def found(self) -> list[str]:
        words = [a.strip(" ,;<>") for a in (self.addresses.data or "").split()]
        return [a for a in words if "@" in a]

    def validate_addresses(self, field: Field) -> None:
        if not self.found():
            raise ValidationError("Paste at least one email address, one on each line")
