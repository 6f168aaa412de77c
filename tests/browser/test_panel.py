"""Residents' Panel journeys in Chromium, axe-core on every state:

- a resident joins (fixing mistakes), confirms by the emailed link, answers an exercise from
  their unique link (which then refuses a second answer), updates their details and leaves,
  on a 320 px phone and with JavaScript off;
- an officer plans an exercise for a balanced sample, sends it, watches response rates and
  sends a reminder, reads the balance and writes a newsletter.

No worker runs here: emails are read from the outbox before it is sent.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engage.db import get_session
from engage.mail import OutboxEmail
from engage.panel import exercises
from surveys.base import utcnow
from surveys.models import Consultation
from tests.browser import scenario
from tests.browser.test_journeys import sign_in


def latest_link(live_app, address: str, pattern: str) -> str:
    with live_app.app_context():
        email = (
            get_session()
            .scalars(
                select(OutboxEmail).where(OutboxEmail.to == address).order_by(OutboxEmail.id.desc())
            )
            .first()
        )
        assert email is not None, f"nothing queued for {address}"
        match = re.search(rf"https?://[^/\s]+(\S*{pattern}\S*)", email.body)
        assert match, email.body
        return match.group(1)


def send_exercise(live_app, title: str) -> int:
    with live_app.app_context():
        session = get_session()
        survey = session.scalar(select(Consultation).where(Consultation.slug == scenario.OPEN_SLUG))
        exercise = exercises.create(
            session,
            survey,
            title=title,
            send_on=None,
            sample_size=None,
            strata=[],
            reminder_days=[7],
            officer_id=None,
        )
        exercises.send(session, exercise, now=utcnow())
        session.commit()
        return exercise.id


def no_sideways_scroll(page) -> None:
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


@pytest.mark.parametrize("width", [1280, 320])
def test_resident_joins_confirms_answers_and_leaves(make_page, base_url, live_app, width):
    page, axe = make_page(width=width)
    address = f"resident{width}@example.org"
    page.goto(f"{base_url}/panel/")
    axe.check("panel-home")
    page.click("text=Join the panel")
    axe.check("join")
    page.fill("#name", "Morven Resident")
    page.fill("#email", "not an email")
    page.click("button:has-text('Join the panel')")
    assert page.title().startswith("Error:")
    summary = page.inner_text(".govuk-error-summary")
    assert "Enter an email address in the correct format" in summary
    assert "Answer: What is your age?" in summary
    assert "Tick the box to say you agree" in summary
    assert page.input_value("#name") == "Morven Resident"
    axe.check("join-errors")
    if width == 320:
        no_sideways_scroll(page)

    page.fill("#email", address)
    page.check("#eq-age_band")  # the first age band
    page.check("#consent")
    page.click("button:has-text('Join the panel')")
    assert "Check your email" in page.inner_text("h1")
    axe.check("check-email")

    page.goto(base_url + latest_link(live_app, address, "/panel/confirm/"))
    axe.check("confirm")
    page.click("button:has-text('Confirm and join')")
    assert "You have joined" in page.inner_text("h1")
    axe.check("confirmed")

    send_exercise(live_app, f"Parks panel survey {width}")
    link = base_url + latest_link(live_app, address, "/answer/")
    page.goto(link)
    page.check("text=Every week")
    page.click("button:has-text('Continue')")
    page.wait_for_url("**/check")
    page.click("button:has-text('Send my response')")
    page.wait_for_url("**/thank-you")
    page.goto(link)
    assert "You have already answered" in page.inner_text("h1")
    axe.check("already-answered")

    page.goto(f"{base_url}/panel/me")
    assert "Answered" in page.inner_text("main")
    axe.check("my-page")
    if width == 320:
        no_sideways_scroll(page)
    page.click("text=Change your details and contact preferences")
    axe.check("details")
    page.fill("#postcode", "nonsense")
    page.click("button:has-text('Save your details')")
    assert "Enter a real postcode" in page.inner_text(".govuk-error-summary")
    axe.check("details-errors")
    page.fill("#postcode", "KA1 2BB")
    page.click("button:has-text('Save your details')")
    assert "Your details have been saved" in page.inner_text(".govuk-notification-banner")

    page.click("text=Leave the Residents' Panel")
    axe.check("leave")
    page.click("button:has-text('Leave the panel')")
    assert "You have left" in page.inner_text("h1")
    axe.check("left")
    assert not page.errors  # type: ignore[attr-defined]


def test_joining_and_signing_in_work_without_javascript(make_page, base_url, live_app):
    page, _ = make_page(javascript=False)
    address = "nojs@example.org"
    page.goto(f"{base_url}/panel/join")
    page.fill("#name", "Nae Script")
    page.fill("#email", address)
    page.check("#eq-age_band")
    page.check("#consent")
    page.click("button:has-text('Join the panel')")
    page.goto(base_url + latest_link(live_app, address, "/panel/confirm/"))
    page.click("button:has-text('Confirm and join')")
    page.goto(f"{base_url}/panel/sign-in")
    page.fill("#email", address)
    page.click("button:has-text('Email me a sign-in link')")
    assert "Check your email" in page.inner_text("h1")
    page.goto(base_url + latest_link(live_app, address, "/panel/sign-in/"))
    page.click("button:has-text('Sign in')")
    assert "Your panel page" in page.inner_text("h1")


def test_officer_sends_an_exercise_watches_rates_and_reminds(make_page, base_url, live_app):
    page, axe = make_page(width=1280)
    sign_in(page, base_url, scenario.OFFICER)
    page.goto(f"{base_url}/manage/panel/")
    axe.check("manage-panel")
    page.click("text=Add a member from a paper form")
    axe.check("add-member")
    page.fill("#name", "Paper Person")
    page.check("#contact_by-2")
    page.click("button:has-text('Add member')")
    assert page.title().startswith("Error:")
    axe.check("add-member-errors")
    page.fill("#address", "3 Mill Lane")
    page.fill("#postcode", "KA3 3CC")
    page.check("#eq-age_band")
    page.fill("#signed-day", "2")
    page.fill("#signed-month", "1")
    page.fill("#signed-year", "2026")
    page.check("#consent")
    page.click("button:has-text('Add member')")
    assert "has been added to the panel" in page.inner_text(".govuk-notification-banner")
    axe.check("member")

    page.goto(f"{base_url}/manage/panel/balance")
    axe.check("balance")
    page.goto(f"{base_url}/manage/panel/exercises/new")
    axe.check("exercise-new")
    page.click("button:has-text('Save exercise')")
    assert "Select the consultation" in page.inner_text(".govuk-error-summary")
    axe.check("exercise-new-errors")
    page.select_option("#consultation", label="Parks and play areas")
    page.fill("#title", "Officer's parks exercise")
    page.check("#audience-2")
    page.fill("#size", "1")
    page.check("#strata")  # balanced by age band
    page.fill("#reminders", "7, 14")
    page.click("button:has-text('Save exercise')")
    assert "Exercise added to the plan" in page.inner_text(".govuk-notification-banner")
    axe.check("exercise-planned")
    page.click("button:has-text('Send invitations now')")
    assert "Invitations sent to 1 members" in page.inner_text(".govuk-notification-banner")
    assert "0 of 1" in page.inner_text("#overall-rate")
    axe.check("exercise-rates")
    page.click("button:has-text('Send a reminder now')")
    assert "Reminders sent to" in page.inner_text(".govuk-notification-banner")
    axe.check("exercise-reminded")

    page.goto(f"{base_url}/manage/panel/newsletters/new")
    axe.check("newsletter-new")
    page.fill("#title", "Spring newsletter")
    page.fill("#heading-1", "What you told us")
    page.fill("#body-1", "More benches in the park.")
    page.click("button:has-text('Save and preview')")
    assert "What you told us" in page.inner_text("main")
    axe.check("newsletter-preview")
    page.click("button:has-text('Send the newsletter')")
    axe.check("newsletters-sent")
    page.goto(f"{base_url}/panel/newsletters")
    page.click("text=Spring newsletter")
    axe.check("newsletter-archive")
    page.goto(f"{base_url}/manage/panel/members")
    axe.check("members")
    assert not page.errors  # type: ignore[attr-defined]
