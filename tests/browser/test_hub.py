"""The hub in a real browser: a resident filters to a closed consultation and reads "We asked,
you said, we did" (with and without JavaScript); an officer adds a document and publishes
results. axe-core checks every page state reached, error states included."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engage.db import get_session
from surveys import lifecycle, services
from surveys.base import utcnow
from surveys.models import ConsultationStatus, Organisation
from tests.browser import scenario
from tests.browser.test_journeys import sign_in

READ_TITLE = "Winter gritting review"
PUBLISH_TITLE = "Town centre toilets"


@pytest.fixture(scope="module")
def hub_data(live_app):
    """Two closed consultations: one with published results, one waiting for them."""
    with live_app.app_context():
        session = get_session()
        council = session.scalar(select(Organisation).where(Organisation.code == "council"))
        now = utcnow()
        ids = {}
        for title in (READ_TITLE, PUBLISH_TITLE):
            existing = session.scalar(
                select(services.Consultation).where(services.Consultation.title == title)
            )
            if existing is not None:
                ids[title] = existing.id
                continue
            item = services.create_consultation(
                session,
                title=title,
                summary=f"What did you think of the {title.lower()}?",
                organisation_id=council.id,
                opens_at=now - timedelta(days=60),
                closes_at=now - timedelta(days=30),
            )
            services.add_question(session, item, type="long_text", title="Tell us more")
            item.status = ConsultationStatus.CLOSED
            item.topic = "transport" if title == READ_TITLE else "economy"
            item.localities = ["Drumlee"]
            ids[title] = item.id
        session.flush()
        read = session.get(services.Consultation, ids[READ_TITLE])
        if read.status == ConsultationStatus.CLOSED:
            lifecycle.publish_results(
                session,
                read,
                we_asked="We asked which pavements should be gritted first.",
                you_said="You said the routes to schools and the health centre.",
                we_did="We now grit the school and health centre routes before 8am.",
                now=now,
            )
        session.commit()
        return ids


@pytest.mark.parametrize("javascript", [True, False])
def test_resident_filters_the_hub_and_reads_the_results(make_page, base_url, hub_data, javascript):
    page, axe = make_page(javascript=javascript)
    check = axe.check if javascript else (lambda label: None)  # axe-core needs scripts
    page.goto(base_url)
    check("hub")
    page.select_option("#topic", label="Transport and getting about")
    page.select_option("#locality", label="Drumlee")
    page.click("button:has-text('Apply filters')")
    assert "topic=transport" in page.url
    assert "locality=Drumlee" in page.url
    assert page.input_value("#topic") == "transport", "the filters stay chosen"
    assert "1 consultation matches your search" in page.inner_text("#result-count")
    assert PUBLISH_TITLE not in page.inner_text("main")
    check("hub-filtered")
    page.click(f"text={READ_TITLE}")
    main = page.inner_text("main")
    assert "We asked, you said, we did" in main
    assert "We now grit the school and health centre routes before 8am." in main
    assert "Respond online" not in main
    check("closed-with-results")

    page.goto(base_url)
    page.fill("#q", "zebra unicorn")
    page.click("button:has-text('Apply filters')")
    assert "No consultations match your search" in page.inner_text("main")
    check("hub-no-results")
    page.click("text=Clear filters")
    assert page.input_value("#q") == ""
    assert not page.errors  # type: ignore[attr-defined]


def test_officer_adds_a_document_and_publishes_results(make_page, base_url, hub_data):
    page, axe = make_page()
    sign_in(page, base_url, scenario.OFFICER)
    page.goto(f"{base_url}/manage/{hub_data[PUBLISH_TITLE]}")
    axe.check("closed-detail")

    page.click("a[href$='/documents']")
    axe.check("documents")
    page.fill("#title", "Map of the toilets")
    page.click("button:has-text('Upload document')")
    assert page.title().startswith("Error:")
    assert "Select a file" in page.inner_text(".govuk-error-summary")
    assert page.input_value("#title") == "Map of the toilets"
    axe.check("documents-errors")
    page.set_input_files(
        "#file",
        files=[{"name": "map.csv", "mimeType": "text/csv", "buffer": b"site,open\nA,yes\n"}],
    )
    page.click("button:has-text('Upload document')")
    assert "Document added" in page.inner_text(".govuk-notification-banner")
    axe.check("documents-added")
    page.click("text=Back to the consultation")

    page.click("text=Publish results")
    axe.check("results")
    page.fill("#we_asked", "We asked where toilets are needed.")
    page.click("button:has-text('Publish results')")
    assert page.title().startswith("Error:")
    summary = page.inner_text(".govuk-error-summary")
    assert "Enter the ‘You said’ text" in summary
    assert page.input_value("#we_asked") == "We asked where toilets are needed."
    axe.check("results-errors")
    page.click(".govuk-error-summary a >> nth=0")
    assert page.evaluate("document.activeElement.id") == "you_said"
    page.fill("#you_said", "You said the bus station.")
    page.fill("#we_did", "We opened the bus station toilets until 10pm.")
    page.click("button:has-text('Publish results')")
    assert "Results published" in page.inner_text("main")
    axe.check("published-detail")

    page.click("a:has-text('consultation’s public page')")
    main = page.inner_text("main")
    assert "We opened the bus station toilets until 10pm." in main
    assert "Map of the toilets (CSV, 16 bytes)" in main
    axe.check("public-with-results")

    page.goto(f"{base_url}/manage/{hub_data[PUBLISH_TITLE]}/details")
    axe.check("details")
    page.fill("#summary", "")
    page.click("button:has-text('Save details')")
    assert page.title().startswith("Error:")
    axe.check("details-errors")
    assert not page.errors  # type: ignore[attr-defined]
