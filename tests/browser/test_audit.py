"""An administrator reads the audit log after an officer downloads the responses: filters with
the keyboard, a date error and its summary, at 1280 and 320 px; axe-core on every state."""

from __future__ import annotations

from sqlalchemy import select

from engage.accounts.models import User
from engage.accounts.services import create_user
from engage.db import get_session
from surveys.models import Consultation, Organisation
from tests import factories
from tests.browser import scenario
from tests.browser.test_journeys import sign_in

ADMIN = "admin@example.org"


def add_admin(live_app) -> int:
    """An administrator (once) and the id of the open consultation the officer downloads."""
    with live_app.app_context():
        session = get_session()
        council = session.scalar(select(Organisation).where(Organisation.code == "council"))
        if session.scalar(select(User).where(User.email == ADMIN)) is None:
            admin = create_user(
                session,
                email=ADMIN,
                password=scenario.PASSWORD,
                role="admin",
                organisation=council,
                name="Alasdair Admin",
            )
            admin.totp_secret = factories.TOTP_SECRET
            session.commit()
        return session.scalar(
            select(Consultation.id).where(Consultation.slug == scenario.OPEN_SLUG)
        )


def test_an_administrator_reads_and_filters_the_audit_log(make_page, base_url, live_app):
    consultation_id = add_admin(live_app)
    page, axe = make_page(width=1280)
    sign_in(page, base_url, scenario.OFFICER)
    download = page.request.get(f"{base_url}/manage/{consultation_id}/responses.csv")
    assert download.ok
    page.click("button:has-text('Sign out')")

    sign_in(page, base_url, ADMIN)
    page.click("a:has-text('Audit log')")
    assert page.inner_text("h1") == "Audit log"
    rows = page.inner_text("tbody")
    assert "Downloaded the responses" in rows
    assert "Morag Officer (Engagement officer)" in rows
    axe.check("audit")

    page.select_option("#action", "export.responses")
    page.fill("#who", "morag")
    page.fill("#since-day", "31")
    page.fill("#since-month", "2")
    page.fill("#since-year", "2027")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title().startswith("Error:")
    assert "real date" in page.inner_text(".govuk-error-summary")
    assert page.input_value("#who") == "morag"
    axe.check("audit-error")
    page.click(".govuk-error-summary a")
    assert page.evaluate("document.activeElement.id") == "since-day"

    page.fill("#since-day", "1")
    page.fill("#since-month", "1")
    page.fill("#since-year", "2020")
    page.click("button:has-text('Filter')")
    assert "matching the filters" in page.inner_text("main")
    assert "Downloaded the responses" in page.inner_text("tbody")
    axe.check("audit-filtered")


def test_the_audit_log_reflows_at_320_px(make_page, base_url, live_app):
    add_admin(live_app)
    page, axe = make_page(width=320)
    sign_in(page, base_url, ADMIN)
    page.goto(f"{base_url}/audit")
    assert page.evaluate("document.documentElement.scrollWidth <= 320")
    axe.check("audit-320")
