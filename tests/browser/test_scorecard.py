"""The scorecard in a real browser: a JOG member compares this year's Partnership Assessment
Scorecard with last year's, for everyone and for one partner, on a desktop and on a small phone;
an officer records nominated staff, mistakes included. axe-core checks every page state."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from engage.db import get_session
from engage.scorecard import services as scorecard
from surveys import definitions, services
from surveys.models import Consultation, ConsultationStatus, Organisation
from surveys.questions.base import Parsed
from tests.browser import scenario
from tests.browser.test_journeys import sign_in

TITLE = "Browser Scorecard 2025"
NEXT = "Browser Scorecard 2026"
SHARE_ROW = "Partners share information well"


def _fill(session, item: Consultation, agreeing: int) -> None:
    """30 council and 12 police staff; ``agreeing`` of the council's agree that partners share
    information; every other statement is split the same way both years."""
    partner = item.questions[0]
    people = [("o1", n < agreeing) for n in range(30)] + [("o2", n % 2 == 0) for n in range(12)]
    item.status = ConsultationStatus.OPEN
    for n, (organisation, agrees) in enumerate(people):
        answers = {partner.id: Parsed(value=organisation)}
        for q in item.questions:
            if q.type == "matrix":
                answers[q.id] = Parsed(
                    value={
                        r["value"]: ("o2" if agrees else "o4")
                        if r["label"] == SHARE_ROW
                        else ("o1" if n % 3 else "o5")
                        for r in q.settings["rows"]
                    }
                )
        services.submit_response(
            session,
            item,
            answers,
            token=secrets.token_urlsafe(16),
            now=datetime.now(UTC),
            channel="paper",
        )
    item.status = ConsultationStatus.CLOSED


@pytest.fixture(scope="module")
def scorecard_ids(live_app):
    with live_app.app_context():
        session = get_session()
        found = session.scalars(select(Consultation).where(Consultation.title == NEXT)).first()
        if found is not None:
            return found.previous_id, found.id
        by_code = {o.code: o for o in session.scalars(select(Organisation))}
        council, police = by_code["council"], by_code["police"]
        first = definitions.build(
            session,
            definitions.available()["partnership-scorecard"],
            organisation_id=council.id,
            title=TITLE,
            partners=[council.name, police.name],
            closes_at=datetime(2025, 6, 30, tzinfo=UTC),
        )
        _fill(session, first, agreeing=8)
        second = scorecard.copy_as_next_year(session, first)
        second.closes_at = datetime(2026, 6, 30, tzinfo=UTC)
        _fill(session, second, agreeing=24)
        scorecard.save_nominations(session, second, {"o1": 40, "o2": 15})
        session.commit()
        return first.id, second.id


@pytest.mark.parametrize("width", [1280, 320])
def test_jog_member_compares_this_year_with_last_by_partner(
    make_page, base_url, scorecard_ids, width
):
    _, second = scorecard_ids
    page, axe = make_page(width=width)
    sign_in(page, base_url, scenario.JOG)
    page.goto(f"{base_url}/findings/")
    page.click("text=Partnership Assessment Scorecard, year on year")
    axe.check("scorecard-index")
    page.click(f"text={NEXT}")
    assert page.url.endswith(f"/scorecard/{second}")
    axe.check("year-on-year")
    row = page.locator("tr", has_text=SHARE_ROW)
    # 8 + 6 of 42 agreed in 2025 (33%), 24 + 6 of 42 in 2026 (71%).
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    assert cells == ["33%", "71%", "+38", "2.7", "3.4", "▲ Up"]
    rates = page.locator("table", has_text="Response rates by partner organisation")
    assert "75%" in rates.inner_text()  # 30 of the 40 council staff nominated
    page.select_option("#partner", label="Police Scotland")
    page.click("button:has-text('Show')")
    assert "partner=o2" in page.url
    assert page.input_value("#partner") == "o2", "the filter stays chosen"
    assert "Statements: Police Scotland" in page.inner_text("h2#statements")
    police = page.locator("tr", has_text=SHARE_ROW)
    assert "No significant change" in police.inner_text()
    axe.check("year-on-year-police")
    assert not page.errors  # type: ignore[attr-defined]
    if width == 320:
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, "wide tables scroll inside their box, not the page"


def test_year_on_year_works_without_javascript(make_page, base_url, scorecard_ids):
    _, second = scorecard_ids
    page, _ = make_page(javascript=False)
    sign_in(page, base_url, scenario.JOG)
    page.goto(f"{base_url}/scorecard/{second}")
    page.select_option("#partner", label="Craigmuir Council")
    page.click("button:has-text('Show')")
    assert "Statements: Craigmuir Council" in page.inner_text("h2#statements")


def test_officer_records_nominated_staff(make_page, base_url, scorecard_ids):
    first, _ = scorecard_ids
    page, axe = make_page()
    sign_in(page, base_url, scenario.OFFICER)
    page.goto(f"{base_url}/scorecard/{first}")
    axe.check("year-on-year-officer")
    page.click("a:has-text('Change nominated staff')")
    axe.check("nominations")
    page.fill("input[name=n_o1]", "lots")
    page.fill("input[name=n_o2]", "15")
    page.click("button:has-text('Save the numbers')")
    assert page.title().startswith("Error:")
    assert page.input_value("input[name=n_o1]") == "lots"
    assert page.input_value("input[name=n_o2]") == "15"
    axe.check("nominations-error")
    page.fill("input[name=n_o1]", "36")
    page.click("button:has-text('Save the numbers')")
    assert "Nominated numbers saved" in page.inner_text(".govuk-notification-banner")
    assert "Recorded for 2 of 3 organisations" in page.inner_text("main")
    page.click("a:has-text('Change which survey this one follows')")
    axe.check("follows")
