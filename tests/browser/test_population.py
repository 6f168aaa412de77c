"""An officer enters population figures with the keyboard, fixes a mistake, and a JOG member
reads them; axe-core on every state."""

from __future__ import annotations

from tests.browser import scenario
from tests.browser.test_journeys import sign_in


def test_officer_enters_population_figures(make_page, base_url):
    page, axe = make_page(width=1280)
    sign_in(page, base_url, scenario.OFFICER)
    page.goto(f"{base_url}/population/")
    assert page.inner_text("h1") == "Population figures"
    axe.check("population")

    page.fill("#people-sex-female", "47,400")
    page.fill("#people-sex-male", "forty thousand")
    page.fill("#source-sex", "Census 2022")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits the form, as a keyboard user would
    assert page.title().startswith("Error:")
    summary = page.inner_text(".govuk-error-summary")
    assert "Enter the number of people in the group “Male” (What is your sex?)" in summary
    assert page.input_value("#people-sex-female") == "47,400"
    assert page.input_value("#source-sex") == "Census 2022"
    axe.check("population-errors")

    page.click(".govuk-error-summary a")
    assert page.evaluate("document.activeElement.id") == "people-sex-male"
    page.fill("#people-sex-male", "44600")
    page.click("button:has-text('Save population figures')")
    assert "Population figures saved" in page.inner_text(".govuk-notification-banner")
    assert page.input_value("#people-sex-male") == "44,600"
    axe.check("population-saved")


def test_jog_member_reads_population_figures(make_page, base_url):
    page, axe = make_page(width=320)
    sign_in(page, base_url, scenario.JOG)
    page.goto(f"{base_url}/population/")
    assert "Officers keep these figures up to date." in page.inner_text("main")
    assert page.query_selector("button:has-text('Save population figures')") is None
    axe.check("population-read-only")
