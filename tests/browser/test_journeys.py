"""Residents', officers' and JOG members' journeys in a real browser, checked by axe-core."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engage.db import get_session
from surveys.models import Response
from tests.browser import scenario


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/sign-in")
    page.fill("#email", email)
    page.fill("#password", scenario.PASSWORD)
    page.click("button:has-text('Sign in')")


def stored_responses(live_app) -> int:
    with live_app.app_context():
        return get_session().scalar(select(func.count()).select_from(Response))


@pytest.mark.parametrize("width", [1280, 320])
def test_resident_answers_fixes_errors_and_submits(make_page, base_url, live_app, width):
    page, axe = make_page(width=width)
    before = stored_responses(live_app)
    page.goto(base_url)
    axe.check("hub")
    page.click("text=Parks and play areas")
    axe.check("consultation")
    page.click("text=Respond online")
    axe.check("form")

    # Submit with a required question unanswered and too many boxes ticked.
    page.check("text=Benches")
    page.check("text=Toilets")
    page.check("text=Lighting")
    page.fill("textarea", "A fence round the play park so wee ones are safe")
    page.click("button:has-text('Send my response')")
    assert page.title().startswith("Error:")
    # GOV.UK Frontend moves focus to the summary once its script has run.
    page.wait_for_function(
        "document.activeElement.closest('.govuk-error-summary') !== null", timeout=5000
    )
    summary = page.inner_text(".govuk-error-summary")
    assert "Question 1: Select an answer" in summary
    assert "Question 2: Select no more than 2 answers" in summary
    assert page.input_value("textarea") == "A fence round the play park so wee ones are safe"
    axe.check("errors")

    page.click(".govuk-error-summary a >> nth=0")
    assert page.evaluate("document.activeElement.name") == page.get_attribute(
        "input[type=radio] >> nth=0", "name"
    )
    page.check("text=Every week")
    page.uncheck("text=Lighting")
    page.click("button:has-text('Send my response')")
    page.wait_for_url("**/thank-you")
    assert "Response sent" in page.inner_text("h1")
    axe.check("thank-you")
    assert stored_responses(live_app) == before + 1
    assert not page.errors  # type: ignore[attr-defined]
    if width == 320:
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, "no sideways scrolling on a small phone"


def test_resident_can_respond_without_javascript(make_page, base_url, live_app):
    page, _ = make_page(javascript=False)  # axe needs scripts; these pages are checked above
    before = stored_responses(live_app)
    page.goto(f"{base_url}/consultations/{scenario.OPEN_SLUG}/respond")
    page.click("button:has-text('Send my response')")
    assert page.title().startswith("Error:")
    page.check("text=Now and then")
    page.fill("textarea", "Toilets that are open in the winter")
    page.click("button:has-text('Send my response')")
    assert "Response sent" in page.inner_text("h1")
    assert stored_responses(live_app) == before + 1


def test_keyboard_alone_completes_the_survey(make_page, base_url, live_app):
    page, _ = make_page()
    before = stored_responses(live_app)
    page.goto(f"{base_url}/consultations/{scenario.OPEN_SLUG}/respond")
    page.focus("input[type=radio] >> nth=0")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # to the first checkbox
    page.keyboard.press("Space")
    page.focus("textarea")
    page.keyboard.type("More benches by the pond")
    page.focus("button:has-text('Send my response')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/thank-you")
    assert stored_responses(live_app) == before + 1


def test_officer_pages(make_page, base_url):
    page, axe = make_page()
    sign_in(page, base_url, scenario.OFFICER)
    axe.check("manage")
    page.click("text=Create a consultation")
    axe.check("new")
    page.fill("#title", "Community safety")
    page.click("button:has-text('Save and continue')")
    assert page.title().startswith("Error:")
    assert page.input_value("#title") == "Community safety"
    axe.check("new-errors")
    page.fill("#summary", "How safe do you feel?")
    page.fill("#closes-day", "1")
    page.fill("#closes-month", "6")
    page.fill("#closes-year", "2031")
    page.click("button:has-text('Save and continue')")
    axe.check("detail")
    page.click("text=Add a question")
    axe.check("question")
    page.check("text=Free text (long answer)")
    page.fill("#title", "What would help you feel safer?")
    page.click("button:has-text('Add question')")
    page.click("text=Preview")
    axe.check("preview")
    page.goto(base_url + "/manage/")
    page.click("text=Getting about Craigmuir")
    axe.check("closed-detail")
    page.click("text=Run 1")
    axe.check("run")
    assert "Finished" in page.inner_text("[role=status]")


def test_jog_reads_the_themes(make_page, base_url):
    page, axe = make_page()
    sign_in(page, base_url, scenario.JOG)
    axe.check("findings")
    page.click("text=Getting about Craigmuir")
    text = page.inner_text("main")
    assert "Themes in the answers to question 3" in text
    assert "bus" in text.lower()
    image = page.locator("img.engage-word-cloud")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert "Word cloud" in image.get_attribute("alt")
    axe.check("findings-consultation")
