"""Multi-page surveys in a real browser: routing, check answers and Change, save and resume."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engage.db import get_session
from surveys.models import Answer, Consultation, EqualitiesAnswers, Response
from tests.browser import scenario


def responses_to(live_app, slug: str) -> list[Response]:
    with live_app.app_context():
        session = get_session()
        item = session.scalars(select(Consultation).where(Consultation.slug == slug)).one()
        return list(
            session.scalars(
                select(Response).where(Response.consultation_id == item.id).order_by(Response.id)
            )
        )


def answer_titles(live_app, response_id: int) -> dict[str, object]:
    from surveys.models import Question

    with live_app.app_context():
        rows = get_session().execute(
            select(Question.title, Answer.value)
            .join(Answer, Answer.question_id == Question.id)
            .where(Answer.response_id == response_id)
        )
        return dict(rows.all())


@pytest.mark.parametrize("javascript", [True, False])
def test_resident_routes_through_pages_changes_an_answer_and_sends(
    make_page, base_url, live_app, javascript
):
    page, axe = make_page(javascript=javascript)
    check = axe.check if javascript else (lambda label: None)  # axe needs scripts
    before = len(responses_to(live_app, scenario.ROUTED_SLUG))
    page.goto(f"{base_url}/consultations/{scenario.ROUTED_SLUG}/respond")
    assert page.inner_text("h1") == "Getting about"
    check("page-1")

    page.click("button:has-text('Continue')")
    assert page.title().startswith("Error:")
    assert "Question 1: Select an answer" in page.inner_text(".govuk-error-summary")
    check("page-1-error")
    page.check("label:text-is('Yes')")
    page.click("button:has-text('Continue')")
    assert page.inner_text("h1") == "Your bus journeys"
    check("page-2")

    page.check("label:text-is('Every day')")
    page.fill("input[name$='-day']", "30")
    page.fill("input[name$='-month']", "2")
    page.fill("input[name$='-year']", "2026")
    page.click("button:has-text('Continue')")
    assert page.title().startswith("Error:")
    assert "real date" in page.inner_text(".govuk-error-summary")
    assert page.input_value("input[name$='-day']") == "30"  # kept as typed
    assert page.is_checked("label:text-is('Every day')")
    check("page-2-error")
    page.fill("input[name$='-day']", "3")
    page.click("button:has-text('Continue')")

    assert page.inner_text("h1") == "Your ideas"
    assert "Which route do you take every day?" in page.inner_text("main")  # shown for "Every day"
    page.fill("textarea", "Buses after the late shift at the hospital")
    page.fill("input[type=text]", "The 14")
    page.click("button:has-text('Continue')")

    assert page.inner_text("h1") == "About you"
    check("about-you")
    page.check("label:text-is('25 to 34')")
    page.click("button:has-text('Continue')")

    assert "Check your answers" in page.inner_text("h1")
    summary = page.inner_text("main")
    for shown in ("Every day", "3 February 2026", "The 14", "25 to 34"):
        assert shown in summary
    check("check")

    # Change the first answer: "No" skips page 2, and the follow-up goes with it.
    page.click("a:has-text('Change your answer to Do you use the bus?')")
    assert page.inner_text("h1") == "Getting about"
    assert page.is_checked("label:text-is('Yes')")  # the earlier answer is kept
    page.check("label:text-is('No')")
    page.click("button:has-text('Continue')")
    assert "Check your answers" in page.inner_text("h1")
    summary = page.inner_text("main")
    assert "How often do you take the bus?" not in summary
    assert "The 14" not in summary
    assert "Buses after the late shift" in summary
    check("check-after-change")

    page.click("button:has-text('Send my response')")
    page.wait_for_url("**/thank-you")
    check("thank-you")
    sent = responses_to(live_app, scenario.ROUTED_SLUG)
    assert len(sent) == before + 1
    answers = answer_titles(live_app, sent[-1].id)
    assert answers == {
        "Do you use the bus?": "o2",
        "What one thing would you change?": "Buses after the late shift at the hospital",
    }
    with live_app.app_context():
        about = (
            get_session()
            .scalars(select(EqualitiesAnswers).where(EqualitiesAnswers.response_id == sent[-1].id))
            .one()
        )
        assert about.age_band == "25-34"


def test_resident_saves_at_the_library_and_finishes_at_home(make_page, base_url, live_app):
    library, axe = make_page()
    before = len(responses_to(live_app, scenario.ROUTED_SLUG))
    library.goto(f"{base_url}/consultations/{scenario.ROUTED_SLUG}/respond")
    library.check("label:text-is('Yes')")
    library.click("button:has-text('Continue')")
    library.check("label:text-is('Every week')")
    library.click("button:has-text('Save and come back later')")
    assert "Your answers are saved" in library.inner_text("h1")
    code = library.inner_text(".engage-code")
    axe.check("saved")
    library.click("button:has-text('Email me a link')")
    assert library.title().startswith("Error:")
    axe.check("saved-email-error")
    library.fill("#email", "resident@example.org")
    library.click("button:has-text('Email me a link')")
    assert "We have sent a link to resident@example.org" in library.inner_text("main")

    home, axe_home = make_page()  # another computer: no cookies, no history
    home.goto(f"{base_url}/consultations/{scenario.ROUTED_SLUG}/respond")
    home.click("text=Carry on with answers you saved earlier")
    axe_home.check("resume")
    home.fill("#code", "WRON-GCOD-E123")
    home.click("button:has-text('Continue')")
    assert home.title().startswith("Error:")
    assert home.input_value("#code") == "WRON-GCOD-E123"
    axe_home.check("resume-error")
    home.fill("#code", code.lower())
    home.click("button:has-text('Continue')")
    assert home.inner_text("h1") == "Your bus journeys"
    assert home.is_checked("label:text-is('Every week')")
    home.click("button:has-text('Continue')")
    home.fill("textarea", "A shelter at the Kirkhallie stop")
    home.click("button:has-text('Continue')")
    home.click("button:has-text('Continue')")  # About you is optional
    home.click("button:has-text('Send my response')")
    home.wait_for_url("**/thank-you")
    sent = responses_to(live_app, scenario.ROUTED_SLUG)
    assert len(sent) == before + 1
    assert answer_titles(live_app, sent[-1].id)["How often do you take the bus?"] == "o2"


def fill_page(page, page_number: int) -> None:
    """Answer every question on a page of the long survey the way a person would."""
    for name in page.eval_on_selector_all(
        "input[type=radio]", "els => [...new Set(els.map(e => e.name))]"
    ):
        page.check(f"input[name='{name}'] >> nth={page_number % 3}")
    for name in page.eval_on_selector_all(
        "input[type=checkbox]", "els => [...new Set(els.map(e => e.name))]"
    ):
        page.check(f"input[name='{name}'] >> nth=0")
    for n, box in enumerate(page.query_selector_all("input[type=text]")):
        box.fill(f"Short answer {page_number}.{n}")
    for box in page.query_selector_all("textarea"):
        box.fill(f"A longer answer on page {page_number}")


def test_forty_questions_over_eight_pages(make_page, base_url, live_app):
    page, axe = make_page()
    before = len(responses_to(live_app, scenario.FORTY_SLUG))
    page.goto(f"{base_url}/consultations/{scenario.FORTY_SLUG}/respond")
    for number in range(1, 9):
        assert page.inner_text("h1") == f"Part {number}"
        fill_page(page, number)
        page.click("button:has-text('Continue')")
    assert "Check your answers" in page.inner_text("h1")
    assert page.locator(".govuk-summary-list__row").count() == 40
    axe.check("forty-check")
    page.click("button:has-text('Send my response')")
    page.wait_for_url("**/thank-you")
    sent = responses_to(live_app, scenario.FORTY_SLUG)
    assert len(sent) == before + 1
    with live_app.app_context():
        count = get_session().scalar(
            select(func.count()).select_from(Answer).where(Answer.response_id == sent[-1].id)
        )
    assert count == 40
    answers = answer_titles(live_app, sent[-1].id)
    assert answers["Part 8, question 4"] == "Short answer 8.0"
    assert answers["Part 3, question 1"] == "o1"  # nth=3 % 3 = first option
