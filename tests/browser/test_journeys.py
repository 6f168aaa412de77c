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
    with page.expect_navigation():
        page.click("button:has-text('Sign in')")
    scenario.type_code(page)


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
    page.click("button:has-text('Continue')")
    assert page.title().startswith("Error:")
    # GOV.UK Frontend moves focus to the summary once its script has run.
    page.wait_for_function(
        "() => document.activeElement.closest('.govuk-error-summary') !== null", timeout=5000
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
    page.click("button:has-text('Continue')")
    page.wait_for_url("**/check")
    assert "A fence round the play park" in page.inner_text("main")
    axe.check("check-answers")
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
    page.click("button:has-text('Continue')")
    assert page.title().startswith("Error:")
    page.check("text=Now and then")
    page.fill("textarea", "Toilets that are open in the winter")
    page.click("button:has-text('Continue')")
    assert "Check your answers" in page.inner_text("h1")
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
    page.focus("button:has-text('Continue')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/check")
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
    page.check("input[value=long_text]")
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
    image = page.locator("img.engage-word-cloud:not(.engage-word-cloud--theme)")
    image.scroll_into_view_if_needed()
    page.wait_for_function(  # a separate request: under load it may not have arrived yet
        "() => { const img = document.querySelector("
        "'img.engage-word-cloud:not(.engage-word-cloud--theme)');"
        " return img.complete && img.naturalWidth > 0; }"
    )
    assert "Word cloud" in image.get_attribute("alt")
    per_theme = page.locator("img.engage-word-cloud--theme").first
    per_theme.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.engage-word-cloud--theme')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    assert "in the theme" in per_theme.get_attribute("alt")
    axe.check("findings-consultation")
    page.click("summary:has-text('Themes by group')")
    assert "themes by: How people responded" in page.inner_text("main")
    axe.check("findings-breakdowns")


def question_ids(live_app, slug: str) -> dict[str, list[int]]:
    from surveys.models import Consultation

    with live_app.app_context():
        item = get_session().scalars(select(Consultation).where(Consultation.slug == slug)).one()
        ids: dict[str, list[int]] = {}
        for question in item.questions:
            ids.setdefault(question.type, []).append(question.id)
        return ids


def test_every_question_type_in_the_browser(make_page, base_url, live_app):
    ids = question_ids(live_app, scenario.ALL_TYPES_SLUG)
    page, axe = make_page()
    before = stored_responses(live_app)
    page.goto(f"{base_url}/consultations/{scenario.ALL_TYPES_SLUG}/respond")
    axe.check("all-types-form")

    # Mistakes in several types at once.
    number, day = f"q{ids['number'][0]}", f"q{ids['date'][0]}"
    page.fill(f"#{number}", "forty")
    page.fill(f"#{day}-day", "31")
    page.fill(f"#{day}-month", "2")
    page.fill(f"#{day}-year", "2020")
    page.click("button:has-text('Continue')")
    assert page.title().startswith("Error:")
    summary = page.inner_text(".govuk-error-summary")
    for message in (
        "Select an answer",
        "Answer every row",
        "Enter a number, like 3 or 12.5",
        "The date must be a real date",
        "Select your area or enter your postcode",
        "Tick the box to say you agree",
    ):
        assert message in summary
    assert page.input_value(f"#{day}-day") == "31"
    axe.check("all-types-errors")
    page.click(f".govuk-error-summary a[href='#{day}-day']")
    assert page.evaluate("document.activeElement.id") == f"{day}-day"

    single, dropdown = ids["single_choice"]
    page.check(f"#q{single}-4")  # Other
    page.fill(f"#q{single}-other", "Ferry")
    page.select_option(f"#q{dropdown}", label="Tuesday")
    page.check(f"#q{ids['multiple_choice'][0]}")
    page.check(f"#q{ids['rating_scale'][0]}-2")
    matrix = ids["matrix"][0]
    page.check(f"#q{matrix}-r1")
    page.check(f"#q{matrix}-r2-2")
    ranking = ids["ranking"][0]
    for option, rank in (("o1", "2"), ("o2", "1"), ("o3", "3")):
        page.select_option(f"#q{ranking}-{option}", rank)
    page.fill(f"#q{ids['short_text'][0]}", "Burn Road")
    page.fill(f"#{number}", "4")
    page.fill(f"#{day}-day", "1")
    page.fill(f"#{day}-month", "March")
    page.fill(f"#q{ids['email'][0]}", "reply@example.org")
    page.fill(f"#q{ids['locality'][0]}-postcode", "KA1 2BB")
    page.check(f"#q{ids['consent'][0]}")
    page.click("button:has-text('Continue')")
    page.wait_for_url("**/check")
    axe.check("all-types-check")
    page.click("button:has-text('Send my response')")
    page.wait_for_url("**/thank-you")
    assert stored_responses(live_app) == before + 1

    from surveys.models import Answer

    with live_app.app_context():
        answers = {
            a.question_id: (a.value, a.text)
            for a in get_session().scalars(select(Answer).order_by(Answer.id.desc()).limit(13))
        }
    assert answers[single] == ("other", "Ferry")
    assert answers[dropdown][0] == "o2"
    assert answers[matrix][0] == {"r1": "o1", "r2": "o2"}
    assert answers[ranking][0] == ["o2", "o1", "o3"]
    assert answers[ids["number"][0]][0] == 4
    assert answers[ids["date"][0]][0] == "2020-03-01"
    assert answers[ids["locality"][0]][0] == "o1"
    assert answers[ids["consent"][0]][0] is True
