"""The events and panel forms: what each says about bad input, and what it hands the services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from engage.dates import UK
from engage.web.events.forms import EventForm, SignUpForm
from engage.web.forms import first_errors, typed
from engage.web.panel.forms import ExerciseForm, JoinForm, NewsletterForm, PaperMemberForm

EVENT = {
    "kind": "forum",
    "title": "  South forum ",
    "venue": "South Hall",
    "date-day": "3",
    "date-month": "3",
    "date-year": "2040",
    "start_time": "6:30pm",
    "end_time": "20:00",
    "capacity": "40",
    "audience": "public",
    "reminder_hours": "48",
}


def posted(app: Flask, form_class: type, data: dict[str, Any], *offer: Any) -> Any:
    with app.test_request_context(method="POST", data=data):
        form = form_class()
        if offer:
            form.offer(*offer)
        ok = form.validate()
        return form, ok, first_errors(form)


def test_a_good_event_is_cleaned_for_the_service(app):
    form, ok, errors = posted(app, EventForm, EVENT, ["North", "South"], [7])
    assert ok, errors
    clean = form.cleaned()
    assert clean["title"] == "South forum"
    assert clean["starts_at"] == datetime(2040, 3, 3, 18, 30, tzinfo=UK)
    assert clean["ends_at"] == datetime(2040, 3, 3, 20, 0, tzinfo=UK)
    assert clean["capacity"] == 40
    assert clean["signup_opens_at"] is None
    assert clean["consultation_id"] is None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"kind": "party"}, "kind", "Select the type of event"),
        ({"title": "   "}, "title", "Enter the event's title"),
        ({"title": "x" * 201}, "title", "The title must be 200 characters or fewer"),
        ({"locality": "Atlantis"}, "locality", "Select the area the event is for"),
        ({"venue": ""}, "venue", "Enter the venue, or an online link below"),
        ({"online_link": "zoom.us/j/1"}, "online_link", "Enter the online link as a web address"),
        ({"date-day": "", "date-month": "", "date-year": ""}, "date-day", "Enter the date of"),
        ({"date-day": ""}, "date-day", "The date of the event must be a real date"),
        ({"date-day": "31", "date-month": "2"}, "date-day", "must be a real date"),
        ({"start_time": "half six"}, "start_time", "Enter the start time"),
        ({"end_time": "6pm"}, "end_time", "The end time must be after the start time"),
        ({"capacity": "lots"}, "capacity", "Enter the number of places as a whole number"),
        ({"capacity": "0"}, "capacity", "Enter the number of places as a whole number"),
        ({"audience": ""}, "audience", "Select who the event is for"),
        ({"consultation": "8"}, "consultation", "Select a consultation from the list"),
        ({"reminder_hours": "-1"}, "reminder_hours", "Enter how many hours before to remind"),
        (
            {"opens-day": "5", "opens-month": "3", "opens-year": "2040"}
            | {"closes-day": "4", "closes-month": "3", "closes-year": "2040"},
            "closes-day",
            "Sign-up must close after it opens",
        ),
    ],
)
def test_each_event_mistake_has_its_own_message(app, change, field, message):
    form, ok, errors = posted(app, EventForm, EVENT | change, ["North", "South"], [7])
    assert not ok
    assert message in errors[field]
    shown = typed(form)
    assert shown["venue"] == EVENT["venue"] or field == "venue"
    for key, value in change.items():
        assert shown[key] == value.strip()  # shown again as typed


def test_an_online_event_needs_no_venue(app):
    data = EVENT | {"venue": "", "online_link": "https://meet.example.org/forum"}
    _, ok, errors = posted(app, EventForm, data, [], [])
    assert ok, errors


def test_sign_up_needs_dietary_detail_and_drops_unknown_needs(app):
    data = {"name": "Ann", "email": "ann@example.org", "needs": ["dietary", "a pony"]}
    form, ok, errors = posted(app, SignUpForm, data, ["North"])
    assert not ok
    assert errors == {"needs_detail": "Tell us your dietary needs, like vegetarian or no nuts"}
    assert form.details().needs == ["dietary"]
    form, ok, _ = posted(app, SignUpForm, data | {"needs_detail": "vegan"}, ["North"])
    assert ok
    assert form.details().needs_detail == "vegan"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": ""}, "name", "Enter your full name"),
        ({"email": ""}, "email", "Enter your email address, so we can send your confirmation"),
        ({"email": "ann@"}, "email", "Enter an email address in the correct format"),
        ({"phone": "call me"}, "phone", "Enter a telephone number"),
        ({"locality": "Atlantis"}, "locality", "Select the area you live or work in"),
        ({"needs_detail": "x" * 1001}, "needs_detail", "Tell us in 1,000 characters or fewer"),
    ],
)
def test_each_sign_up_mistake_has_its_own_message(app, change, field, message):
    data = {"name": "Ann", "email": "ann@example.org"} | change
    _, ok, errors = posted(app, SignUpForm, data, ["North"])
    assert not ok
    assert message in errors[field]


def test_joining_the_panel_asks_for_consent_and_never_assumes_newsletters(app):
    data = {"name": "Ann", "email": "ann@example.org", "contact_by": "email"}
    form, ok, errors = posted(app, JoinForm, data)
    assert errors == {"consent": "Tick the box to say you agree, or you cannot join the panel"}
    assert form.details().newsletters is False
    form, ok, _ = posted(app, JoinForm, data | {"consent": "yes", "newsletters": "yes"})
    assert ok
    assert form.details().newsletters is True


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"email": ""}, "email", "Enter your email address"),
        ({"postcode": "KA1"}, "postcode", "Enter a real postcode, like KA1 1AA"),
        ({"contact_by": "post"}, "address", "Enter your address and postcode"),
        ({"contact_by": "pigeon"}, "contact_by", "Select how you would like us to contact you"),
    ],
)
def test_panel_detail_mistakes(app, change, field, message):
    data = {"name": "Ann", "email": "ann@example.org", "consent": "yes"} | change
    _, ok, errors = posted(app, JoinForm, data)
    assert not ok
    assert message in errors[field]


def test_a_paper_form_cannot_be_signed_in_the_future(app):
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    data = {
        "name": "Ann",
        "contact_by": "post",
        "address": "1 High Street",
        "postcode": "ka1 1aa",
        "consent": "yes",
        "signed-day": str(tomorrow.day),
        "signed-month": str(tomorrow.month),
        "signed-year": str(tomorrow.year),
    }
    form, ok, errors = posted(app, PaperMemberForm, data)
    assert errors == {"signed-day": "The date the form was signed must be today or in the past"}
    assert form.shown()["signed-day"] == str(tomorrow.day)
    _, ok, errors = posted(app, PaperMemberForm, data | {"signed-year": "2020"})
    assert ok, errors


class Question:
    def __init__(self, key: str) -> None:
        self.key = key


class Survey:
    id, title = 3, "Buses"


def test_an_exercise_takes_its_title_from_the_consultation_and_checks_reminders(app):
    data = {"consultation": "3", "audience": "sample", "size": "200", "reminders": "7, 14"}
    data |= {"strata": ["age_band", "shoe_size"]}
    form, ok, errors = posted(app, ExerciseForm, data, {3: Survey()}, [Question("age_band")])
    assert ok, errors
    clean = form.cleaned()
    assert clean["title"] == "Buses"
    assert clean["sample_size"] == 200
    assert clean["strata"] == ["age_band"]
    assert clean["reminder_days"] == [7, 14]
    bad = data | {"consultation": "4", "size": "lots", "reminders": "7, 100"}
    _, ok, errors = posted(app, ExerciseForm, bad, {3: Survey()}, [])
    assert set(errors) == {"consultation", "size", "reminders"}


def test_a_newsletter_section_needs_a_heading(app):
    _, ok, errors = posted(app, NewsletterForm, {"title": "Spring"}, {3})
    assert errors == {"intro": "Write an introduction or at least one section"}
    data = {"title": "Spring", "body-2": "We heard you", "results-2": "3"}
    form, ok, errors = posted(app, NewsletterForm, data, {3})
    assert errors == {"heading-2": "Enter a heading for section 2"}
    assert form.values()["sections"] == [
        {"heading": "", "body": "We heard you", "consultation_id": 3, "n": 2}
    ]


def test_small_forms_say_what_is_wrong(app):
    from engage.web.events.forms import CancelForm, OutcomesForm
    from engage.web.panel.forms import BouncesForm, EraseForm, SignInForm

    _, ok, errors = posted(app, CancelForm, {"reason": "  "})
    assert errors == {"reason": "Enter why the event is cancelled, so the people coming know"}
    _, ok, errors = posted(app, OutcomesForm, {"outcomes": "x" * 20001})
    assert errors == {"outcomes": "Keep the outcomes to 20,000 characters or fewer"}
    _, ok, errors = posted(app, SignInForm, {"email": "ann@"})
    assert errors == {
        "email": "Enter an email address in the correct format, like name@example.com"
    }
    _, ok, errors = posted(app, SignInForm, {"email": ""})
    assert errors == {"email": "Enter your email address"}
    _, ok, errors = posted(app, EraseForm, {})
    assert "Tick the box to confirm" in errors["confirm"]
    form, ok, errors = posted(app, BouncesForm, {"addresses": "no addresses here"})
    assert errors == {"addresses": "Paste at least one email address, one on each line"}
    form, ok, _ = posted(app, BouncesForm, {"addresses": "<a@example.org>,\nb@example.org;"})
    assert ok
    assert form.found() == ["a@example.org", "b@example.org"]
