"""An administrator answers a subject-access and an erasure request with the keyboard, and an
officer sets how long a consultation's responses are kept: every state axe-checked, at 1280 px
and 320 px."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engage.db import get_session
from engage.events import services as event_services
from engage.events.models import Event
from surveys.base import utcnow
from surveys.models import Consultation
from tests.browser import scenario
from tests.browser.test_audit import ADMIN, add_admin
from tests.browser.test_journeys import sign_in

PERSON = "isla.browser@example.org"


def add_person(live_app) -> None:
    """A sign-up for Isla, so there is something to find."""
    from datetime import timedelta

    with live_app.app_context():
        session = get_session()
        consultation = session.scalar(
            select(Consultation).where(Consultation.slug == scenario.OPEN_SLUG)
        )
        start = utcnow() + timedelta(days=20)
        event = session.scalar(select(Event).where(Event.title == "Privacy forum"))
        if event is None:
            event = event_services.create_event(
                session,
                {
                    "kind": "forum",
                    "title": "Privacy forum",
                    "venue": "Town Hall",
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=2),
                    "audience": "public",
                    "capacity": None,
                },
                organisation_id=consultation.organisation_id,
                officer_id=None,
            )
        event_services.sign_up(
            session,
            event,
            event_services.Details(name="Isla Browser", email=PERSON),
            now=utcnow(),
        )
        session.commit()


@pytest.mark.parametrize("width", [1280, 320])
def test_an_administrator_exports_and_erases_a_persons_data(make_page, base_url, live_app, width):
    add_admin(live_app)
    add_person(live_app)
    page, axe = make_page(width=width)
    sign_in(page, base_url, ADMIN)
    page.goto(f"{base_url}/admin/people")
    assert page.inner_text("h1") == "Subject access and erasure"
    axe.check(f"people-{width}")

    page.fill("#postcode", "KA1 1AA")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title().startswith("Error:")
    assert "Enter an email address, or a name" in page.inner_text(".govuk-error-summary")
    assert page.input_value("#postcode") == "KA1 1AA"
    axe.check(f"people-error-{width}")
    page.click(".govuk-error-summary a >> nth=0")
    assert page.evaluate("document.activeElement.id") == "email"

    page.fill("#email", PERSON)
    page.fill("#postcode", "")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert PERSON not in page.url
    assert "record" in page.inner_text("h2.govuk-heading-l")
    assert "Privacy forum" in page.inner_text("main")
    if width == 320:
        assert page.evaluate("document.documentElement.scrollWidth <= 320")
    axe.check(f"people-found-{width}")
    with page.expect_download() as download:
        page.click("text=Download everything held (JSON)")
    assert download.value.suggested_filename.startswith("subject-access-")

    page.click("a:has-text('Erase')")
    axe.check(f"erase-{width}")
    with page.expect_navigation():
        page.click("button:has-text('Erase')")
    assert page.title().startswith("Error:")
    axe.check(f"erase-error-{width}")
    page.click(".govuk-error-summary a")
    page.keyboard.press("Space")  # ticks the focused box
    with page.expect_navigation():
        page.click("button:has-text('Erase')")
    assert "Nothing found" in page.inner_text("main")
    axe.check(f"erased-{width}")


@pytest.mark.parametrize("width", [1280, 320])
def test_an_officer_sets_how_long_responses_are_kept(make_page, base_url, live_app, width):
    consultation_id = add_admin(live_app)
    page, axe = make_page(width=width)
    sign_in(page, base_url, scenario.OFFICER)
    page.goto(f"{base_url}/manage/{consultation_id}")
    assert "Keeping responses" in page.inner_text("main")
    page.click("text=Change how long responses are kept")
    assert page.inner_text("h1") == "Keeping responses"
    if width == 320:
        assert page.evaluate("document.documentElement.scrollWidth <= 320")
    axe.check(f"retention-{width}")
    page.check("input[name=days][value='365']")
    page.check("input[name=action][value='delete']")
    with page.expect_navigation():
        page.click("button:has-text('Save')")
    assert "Delete the responses" in page.inner_text("main")
    axe.check(f"retention-saved-{width}")
