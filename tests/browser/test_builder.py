"""An officer builds a three-page survey with routing and a condition by keyboard, then previews."""

from __future__ import annotations

import re

from sqlalchemy import select

from engage.db import get_session
from surveys.models import Question
from tests.browser import scenario


def press(page, selector: str, key: str = "Enter") -> None:
    """Move the keyboard focus to an element and press a key, as a keyboard user would."""
    page.focus(selector)
    page.keyboard.press(key)


def go(page, selector: str, expect: str, key: str = "Enter") -> None:
    """Press a link or button and wait for the page that follows to finish loading.

    Waiting for "load" matters: GOV.UK Frontend moves focus to a success banner when its script
    runs, which would otherwise take the focus from the next element the test moves to.
    """
    press(page, selector, key)
    page.wait_for_selector(expect)
    page.wait_for_load_state("load")


def type_into(page, selector: str, text: str) -> None:
    page.focus(selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def question_id(live_app, title: str) -> int:
    with live_app.app_context():
        return get_session().scalars(select(Question.id).where(Question.title == title)).one()


def test_officer_builds_a_routed_survey_with_the_keyboard(make_page, base_url, live_app):
    page, axe = make_page()
    page.goto(f"{base_url}/sign-in")
    type_into(page, "#email", scenario.OFFICER)
    type_into(page, "#password", scenario.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/sign-in/code")
    scenario.type_code(page)
    page.wait_for_selector("text=Create a consultation")

    page.goto(f"{base_url}/manage/new")
    type_into(page, "#title", "Getting to work")
    type_into(page, "#summary", "How do you get to work?")
    for part, value in (("day", "1"), ("month", "6"), ("year", "2031")):
        type_into(page, f"#closes-{part}", value)
    press(page, "button:has-text('Save and continue')")
    page.wait_for_url(re.compile(r"/manage/\d+$"))
    detail = page.url
    axe.check("builder-one-page")

    # Pages 2 and 3, the second with an introduction; the form's error-free state is checked.
    go(page, "a:has-text('Add a page')", "h1:has-text('Add a page')")
    axe.check("page-form")
    type_into(page, "#title", "Driving")
    go(page, "button:has-text('Save page')", "text=Page 2 added")
    go(page, "a:has-text('Add a page')", "h1:has-text('Add a page')")
    type_into(page, "#title", "Your area")
    type_into(page, "#intro", "Last, a little about where you live.")
    go(page, "button:has-text('Save page')", "text=Page 3 added")
    # Each page's card is anchored by the page's id: page-<id>, in survey order.
    ids = page.eval_on_selector_all(".govuk-summary-card", "cards => cards.map(c => c.id)")
    assert len(ids) == 3

    # A question with mistakes first: the error state keeps what was typed.
    go(page, f"#{ids[0]} a:has-text('Add a question')", "h1:has-text('Add a question')")
    axe.check("question-form")
    type_into(page, "#title", "Do you drive?")
    go(page, "button:has-text('Add question')", ".govuk-error-summary")
    assert page.title().startswith("Error:")
    assert "Choose the type of question" in page.inner_text(".govuk-error-summary")
    assert page.input_value("#title") == "Do you drive?"
    axe.check("question-errors")
    press(page, "input[name=type][value=single_choice]", "Space")
    type_into(page, "#options", "Yes\nNo")
    go(page, "button:has-text('Add question')", "text=Question added")

    for card, kind, title, options in (
        (ids[1], "single_choice", "How often do you drive?", "Every day\nNow and then"),
        (ids[2], "long_text", "What would make your journey better?", ""),
        (ids[2], "short_text", "Which bus do you take?", ""),
    ):
        go(page, f"#{card} a:has-text('Add a question')", "h1:has-text('Add a question')")
        press(page, f"input[name=type][value={kind}]", "Space")
        type_into(page, "#title", title)
        if options:
            type_into(page, "#options", options)
        go(page, "button:has-text('Add question')", "text=Question added")

    # Routing: people who do not drive skip page 2.
    drive = question_id(live_app, "Do you drive?")
    go(page, f"a[href$='/questions/{drive}/routing']", "#route_o2")
    axe.check("routing")
    page.focus("#route_o2")
    for _ in range(2):  # next page → page 2 → page 3
        page.keyboard.press("ArrowDown")
    assert page.input_value("#route_o2") == ids[2].removeprefix("page-")
    go(page, "button:has-text('Save routing')", "text=Routing saved")

    # Condition: ask about buses only of people who do not drive.
    bus = question_id(live_app, "Which bus do you take?")
    go(page, f"a[href$='/questions/{bus}/condition']", "input[name=source]")
    axe.check("condition")
    press(page, f"input[name=source][value='{drive}']", "Space")
    go(page, "button:has-text('Continue')", "h1:has-text('only if')")
    go(page, "button:has-text('Save condition')", ".govuk-error-summary")
    assert page.title().startswith("Error:")
    assert "Select at least one answer" in page.inner_text(".govuk-error-summary")
    axe.check("condition-errors")
    press(page, "input[name=values][value=o2]", "Space")
    go(page, "button:has-text('Save condition')", "text=Condition saved")

    assert page.url.startswith(detail)
    main = page.inner_text("main")
    assert "If 'No', go to page 3: Your area" in main
    assert "Asked only if the answer to 'Do you drive?' is 'No'" in main
    order = [main.index(t) for t in ("Page 1", "Do you drive?", "Page 2: Driving", "Page 3")]
    assert order == sorted(order)
    axe.check("builder-built")

    # Editing and deleting pages: the confirmation for a page with questions.
    go(page, f"a[href$='/questions/{drive}/edit']", "h1:has-text('Edit the question')")
    axe.check("question-edit")
    page.go_back()
    go(page, f"#{ids[1]} a[href$='/delete']", "h1:has-text('Delete page 2')")
    assert "Move its questions to" in page.inner_text("main")
    axe.check("page-delete")
    page.go_back()

    go(page, "a:has-text('Preview the survey')", "text=This is a preview")
    assert "Do you drive?" in page.inner_text("main")
    axe.check("preview")
    # The route works in the preview: "No" skips page 2.
    press(page, "input[type=radio][value=o2]", "Space")
    go(page, "button:has-text('Continue')", "h1")
    assert "Driving" not in page.inner_text("h1")
    axe.check("preview-routed")

    # Open it for responses: residents find it on the hub.
    page.goto(detail)
    go(page, "button:has-text('Open for responses')", "text=Consultation is open for responses")
    axe.check("opened")
    page.goto(base_url)
    assert "Getting to work" in page.inner_text("main")
    assert not page.errors  # type: ignore[attr-defined]
