"""An officer keys in paper responses with the keyboard alone, and imports a file with mistakes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engage.db import get_session
from surveys import services
from surveys.base import utcnow
from surveys.models import Consultation, ConsultationStatus, Organisation, Response
from tests import factories
from tests.browser import scenario

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def paper_survey(live_app) -> dict[str, int]:
    """A consultation of the council's, open, with the equalities block; ids of its questions."""
    with live_app.app_context():
        session = get_session()
        council = session.scalars(select(Organisation).where(Organisation.code == "council")).one()
        now = utcnow()
        item = services.create_consultation(
            session,
            title="Library opening hours",
            summary="When should libraries open?",
            organisation_id=council.id,
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=30),
        )
        add = lambda **kw: services.add_question(session, item, **kw)  # noqa: E731
        when = add(
            type="single_choice",
            title="When do you visit?",
            required=True,
            options=["Mornings", "Afternoons", "Evenings"],
        )
        what = add(type="multiple_choice", title="What do you use?", options=["Books", "Computers"])
        say = add(type="long_text", title="Anything else?", settings={"max_length": 500})
        item.equalities = True
        item.status = ConsultationStatus.OPEN
        session.commit()
        return {"consultation": item.id, "when": when.id, "what": what.id, "say": say.id}


def active(page) -> dict[str, str]:
    return page.evaluate(
        "() => ({id: document.activeElement.id, tag: document.activeElement.tagName,"
        " text: (document.activeElement.innerText || '').trim(),"
        " name: document.activeElement.name || ''})"
    )


def tab_to(page, test, *, limit: int = 80, back: bool = False) -> dict[str, str]:
    """Press Tab (or Shift+Tab) until the focused element passes ``test``."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        now = active(page)
        if test(now):
            return now
    raise AssertionError(f"Tab never reached the element; last was {active(page)}")


def is_button(text: str):
    return lambda el: el["tag"] == "BUTTON" and el["text"] == text


def sign_in_by_keyboard(page, base_url: str) -> None:
    page.goto(f"{base_url}/sign-in")
    tab_to(page, lambda el: el["id"] == "email")
    page.keyboard.type(scenario.OFFICER)
    page.keyboard.press("Tab")
    page.keyboard.type(scenario.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/sign-in/code")
    tab_to(page, lambda el: el["id"] == "code")
    page.keyboard.type(factories.code_at(0))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # An earlier sign-in in these 30 seconds may have used the code (a code works once): the
    # next one, or after a wait, as a person with an authenticator app would do.
    scenario.type_code(page)
    page.wait_for_url("**/manage/**")


def stored(live_app, consultation_id: int) -> list[tuple]:
    with live_app.app_context():
        session = get_session()
        responses = session.scalars(
            select(Response)
            .where(Response.consultation_id == consultation_id)
            .order_by(Response.id)
        ).all()
        return [
            (
                r.channel,
                {a.question_id: a.value for a in r.answers},
                r.equalities.age_band if r.equalities else None,
            )
            for r in responses
        ]


def test_officer_keys_in_two_paper_responses_without_the_mouse(
    make_page, base_url, live_app, paper_survey
):
    page, axe = make_page()
    sign_in_by_keyboard(page, base_url)
    cid, when, what, say = (paper_survey[k] for k in ("consultation", "when", "what", "say"))
    page.goto(f"{base_url}/manage/{cid}/responses/enter")
    assert active(page)["name"] == f"q{when}"  # autofocus: ready to type
    axe.check("entry")

    # A first attempt without the required answer: the error summary, and the text is kept.
    tab_to(page, lambda el: el["id"] == f"q{say}")
    page.keyboard.type("Open on Sunday afternoons, please")
    tab_to(page, is_button("Save and enter the next"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title().startswith("Error:")
    page.wait_for_function(
        "() => document.activeElement.closest('.govuk-error-summary') !== null", timeout=5000
    )
    assert "Question 1: Select an answer" in page.inner_text(".govuk-error-summary")
    assert page.input_value(f"#q{say}") == "Open on Sunday afternoons, please"
    axe.check("entry-errors")

    # Follow the summary's link to the question, answer it, and mark the response as from an event.
    tab_to(page, lambda el: el["tag"] == "A" and "Select an answer" in el["text"])
    page.keyboard.press("Enter")
    assert active(page)["name"] == f"q{when}"
    page.keyboard.press("ArrowDown")  # Afternoons (arrow keys choose radios)
    page.keyboard.press("Shift+Tab")  # back to the channel, above the questions
    assert active(page)["name"] == "channel"
    page.keyboard.press("ArrowRight")  # Event
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the first box of question 2
    assert active(page)["name"] == f"q{what}"
    page.keyboard.press("Space")
    tab_to(page, lambda el: el["name"] == "eq-age_band")
    page.keyboard.press("ArrowDown")  # the radio after the first (Tab lands on the first)
    tab_to(page, is_button("Save and enter the next"))
    page.keyboard.press("Enter")
    page.wait_for_url("**saved=*")
    assert "Response 1 saved" in page.inner_text(".govuk-notification-banner")
    assert "You have entered 1 response" in page.inner_text("#entry-count")
    assert active(page)["name"] == f"q{when}"  # a fresh form, focus on the first answer
    assert page.is_checked("#channel-2")  # Event is kept for the next one
    assert page.input_value(f"#q{say}") == ""
    axe.check("entry-saved")

    # The second: Evenings and Computers, straight through.
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past Books to Computers
    page.keyboard.press("Space")
    tab_to(page, is_button("Save and enter the next"))
    page.keyboard.press("Enter")
    page.wait_for_url("**entered=2*")
    assert "Response 2 saved" in page.inner_text(".govuk-notification-banner")

    first, second = stored(live_app, cid)
    assert first[0] == second[0] == "event"
    assert first[1] == {when: "o2", what: ["o1"], say: "Open on Sunday afternoons, please"}
    assert first[2] == "16-24"
    assert second[1] == {when: "o3", what: ["o2"]}
    assert second[2] is None
    assert not page.errors  # type: ignore[attr-defined]


def test_import_report_lists_the_rows_to_fix(make_page, base_url, live_app, paper_survey):
    page, axe = make_page()
    sign_in_by_keyboard(page, base_url)
    cid = paper_survey["consultation"]
    before = stored(live_app, cid)
    page.goto(f"{base_url}/manage/{cid}/responses/import")
    axe.check("import")
    with live_app.app_context():
        from surveys.exports import template_headers

        header = template_headers(get_session().get(Consultation, cid))
    lines = [",".join(f'"{h}"' for h in header), "," * 2 + "o1", ",carrier pigeon,Sometimes"]
    page.set_input_files(
        "#file",
        files=[{"name": "paper.csv", "mimeType": "text/csv", "buffer": "\n".join(lines).encode()}],
    )
    page.focus("#file")
    tab_to(page, is_button("Import responses"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title().startswith("Error:")
    assert "1 of the 2 rows in paper.csv has a problem" in page.inner_text(".govuk-error-summary")
    table = page.inner_text("#problems")
    assert "Use one of these channels" in table
    assert "Select one of the options shown" in table
    axe.check("import-report")
    assert stored(live_app, cid) == before
