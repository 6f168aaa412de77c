"""A JOG member breaks a closed consultation's choice results down by area: chosen in the findings
page's GET form (with JavaScript and without), the table shows each area's counts and shares with
small cells hidden, and axe-core finds nothing at 1280 px and at 320 px."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select

from engage.db import get_session
from surveys import services
from surveys.base import utcnow
from surveys.models import Consultation, ConsultationStatus, Organisation
from surveys.questions import Parsed
from tests.browser import scenario
from tests.browser.conftest import SHOTS
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser

TITLE = "Bins and recycling"
AREAS = ["Drumlee", "Kirkhallie", "Port Annick"]
# Per area: how many people gave each answer (o1 Weekly, o2 Fortnightly, o3 Not sure).
ANSWERS = {
    "o1": {"o1": 30, "o2": 12},
    "o2": {"o1": 10, "o2": 24, "o3": 4},
    "o3": {"o1": 15, "o2": 15},
}


def closed_consultation(live_app, title: str, questions: list[dict], responses: list) -> int:
    """A council consultation, closed ten days ago, with `questions` (add_question's keywords)
    and `responses`: (the answer to each question in order, how many people gave it)."""
    with live_app.app_context():
        session = get_session()
        existing = session.scalar(select(Consultation.id).where(Consultation.title == title))
        if existing is not None:
            return existing
        council = session.scalars(select(Organisation).where(Organisation.code == "council")).one()
        now = utcnow()
        item = services.create_consultation(
            session,
            title=title,
            summary=f"Tell us: {title.lower()}.",
            organisation_id=council.id,
            opens_at=now - timedelta(days=40),
            closes_at=now - timedelta(days=10),
        )
        added = [services.add_question(session, item, **question) for question in questions]
        item.status = ConsultationStatus.OPEN
        for values, n in responses:
            for _ in range(n):
                services.submit_response(
                    session,
                    item,
                    {q.id: Parsed(value=v) for q, v in zip(added, values, strict=True)},
                    token=secrets.token_urlsafe(24),
                    now=now - timedelta(days=20),
                )
        item.status = ConsultationStatus.CLOSED
        session.commit()
        return item.id


@pytest.fixture(scope="module")
def by_area(live_app) -> int:
    choice = {
        "type": "single_choice",
        "title": "How often should general waste be collected?",
        "required": True,
        "options": ["Weekly", "Fortnightly", "Not sure"],
    }
    area = {"type": "locality", "title": "Which area do you live in?", "options": AREAS}
    responses = [
        ((value, place), n) for place, counts in ANSWERS.items() for value, n in counts.items()
    ]
    return closed_consultation(live_app, TITLE, [choice, area], responses)


@pytest.mark.parametrize("width", [1280, 320])
def test_jog_member_sees_a_choice_question_by_area(make_page, base_url, by_area, width):
    page, axe = make_page(width=width)
    sign_in(page, base_url, scenario.JOG)
    page.goto(f"{base_url}/findings/")
    page.click(f"text={TITLE}")
    axe.check("findings")
    page.select_option("#by", label="Area: Which area do you live in?")
    with page.expect_navigation():
        page.click("button:has-text('Show')")
    assert "by=locality" in page.url
    caption = page.locator("caption", has_text="Question 1 answers by: Area")
    caption.scroll_into_view_if_needed()
    table = page.locator("table", has=caption)
    drumlee = table.locator("tr", has=page.locator("th", has_text="Drumlee"))
    assert "42" in drumlee.inner_text()  # people in Drumlee who answered
    assert "30 (71%)" in drumlee.inner_text()
    kirkhallie = table.locator("tr", has=page.locator("th", has_text="Kirkhallie"))
    assert "24 (63%)" in kirkhallie.inner_text()
    # Kirkhallie's 4 "Not sure" is hidden, and so is its 10 "Weekly": the row adds up to 38.
    cells = [text.split()[0] for text in kirkhallie.locator("td").all_inner_texts()]
    assert cells == ["38", "–", "24", "–"]
    axe.check("by-area")
    if width == 1280:  # the table alone, to look at (axe's check kept the whole page)
        table.screenshot(path=str(SHOTS / "findings-breakdown-table.png"))
    assert page.errors == []


def test_the_breakdown_form_works_without_javascript(make_page, base_url, by_area):
    page, _ = make_page(javascript=False)
    sign_in(page, base_url, scenario.JOG)
    page.goto(f"{base_url}/findings/{by_area}")
    page.select_option("#by", label="How people responded")
    with page.expect_navigation():
        page.click("button:has-text('Show')")
    caption = page.locator("caption", has_text="Question 1 answers by: How people responded")
    table = page.locator("table", has=caption)
    assert "Consultation hub" in table.inner_text()
    page.goto(f"{base_url}/findings/{by_area}?by=postcode")
    assert page.title().startswith("Error:")
    assert "Choose a group from the list" in page.inner_text(".govuk-error-summary")


LONG_TITLE = "Spending the community benefit fund"
LONG_OPTIONS = [
    "Support for older people and tackling loneliness in the rural villages",
    "Things for children and young people to do after school and at weekends",
    "Roads",
]


@pytest.fixture(scope="module")
def long_options(live_app) -> int:
    choice = {
        "type": "single_choice",
        "title": "What should the fund pay for first?",
        "required": True,
        "options": LONG_OPTIONS,
    }
    responses = [(("o1",), 14), (("o2",), 9), (("o3",), 3)]
    return closed_consultation(live_app, LONG_TITLE, [choice], responses)


@pytest.mark.parametrize("width", [1280, 768, 320])
def test_bar_chart_labels_stay_on_the_screen_and_off_the_bars(
    make_page, base_url, long_options, width
):
    page, axe = make_page(width=width)
    sign_in(page, base_url, scenario.JOG)
    page.goto(f"{base_url}/findings/{long_options}")
    axe.check("long-options")
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('svg.engage-bars')].map(svg => ({
            svg: svg.getBoundingClientRect().toJSON(),
            texts: [...svg.querySelectorAll('text')]
                .filter(t => getComputedStyle(t).display !== 'none')
                .map(t => ({text: t.textContent, box: t.getBoundingClientRect().toJSON()})),
            bars: [...svg.querySelectorAll('rect')].map(r => r.getBoundingClientRect().toJSON()),
        }))"""
    )
    (chart,) = boxes
    assert len(chart["bars"]) == 3
    labels = [t for t in chart["texts"] if not t["text"].isdigit()]
    assert len(labels) == 3  # one copy of each label shows: the one for this screen
    for text in chart["texts"]:
        assert text["box"]["right"] <= chart["svg"]["right"] + 0.5, (width, text["text"])
    for label, bar in zip(labels, chart["bars"], strict=True):
        assert label["box"]["bottom"] <= bar["top"] + 0.5, (width, label["text"])
    shown = [label["text"] for label in labels]
    assert shown[2] == "Roads"  # short labels are never shortened
    if width == 1280:
        assert shown == LONG_OPTIONS  # room for the whole wording
    else:
        for whole, seen in zip(LONG_OPTIONS[:2], shown[:2], strict=True):
            assert seen.endswith("…")
            assert whole.startswith(seen[:-1])
        assert (len(shown[0]) < 40) == (width == 320)  # a phone gets the shortest copy
    assert page.errors == []
