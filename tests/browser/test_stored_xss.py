"""Stored XSS in a real browser: pages that show officers' and residents' typed payloads
(tests/security/corpus.py) are loaded in Chromium with JavaScript on; no payload may open a
dialog, run, or even be refused by the CSP (a refusal means it became a script). The HTML-level
checks of every route are in tests/security/test_stored_xss.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engage.db import get_session
from engage.events import services as events
from surveys import lifecycle, services
from surveys.base import utcnow
from surveys.models import ConsultationStatus, Organisation
from tests.security import corpus

pytestmark = pytest.mark.browser

SLUG = "xss-open-survey"
CLOSED_SLUG = "xss-published-results"


@pytest.fixture(scope="module")
def poisoned(live_app):
    """An open survey, a consultation with published results and an event, all payloads."""
    with live_app.app_context():
        session = get_session()
        council = session.scalar(select(Organisation).where(Organisation.code == "council"))
        now = utcnow()
        found = session.scalar(
            select(services.Consultation).where(services.Consultation.slug == SLUG)
        )
        if found is None:
            item = services.create_consultation(
                session,
                title=corpus.packed(200),
                summary=corpus.PAYLOAD,
                organisation_id=council.id,
                opens_at=now - timedelta(days=1),
                closes_at=now + timedelta(days=30),
                slug=SLUG,
            )
            services.add_question(
                session,
                item,
                type="single_choice",
                title=corpus.PAYLOAD,
                hint=corpus.PAYLOAD,
                required=True,
                options=[corpus.packed(150), "Plain"],
            )
            services.add_question(session, item, type="long_text", title=corpus.PAYLOAD)
            item.status = ConsultationStatus.OPEN
            closed = services.create_consultation(
                session,
                title=corpus.packed(200),
                summary=corpus.PAYLOAD,
                organisation_id=council.id,
                opens_at=now - timedelta(days=60),
                closes_at=now - timedelta(days=30),
                slug=CLOSED_SLUG,
            )
            services.add_question(session, closed, type="long_text", title=corpus.PAYLOAD)
            closed.status = ConsultationStatus.CLOSED
            session.flush()
            lifecycle.publish_results(
                session,
                closed,
                we_asked=corpus.PAYLOAD,
                you_said=corpus.PAYLOAD,
                we_did=corpus.PAYLOAD,
                now=now,
            )
            start = now + timedelta(days=10)
            events.create_event(
                session,
                {
                    "kind": "forum",
                    "title": corpus.packed(200),
                    "description": corpus.PAYLOAD,
                    "agenda": corpus.PAYLOAD,
                    "venue": corpus.packed(300),
                    "access_info": corpus.PAYLOAD,
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=2),
                    "audience": "public",
                    "locality": "",
                    "capacity": 10,
                },
                organisation_id=council.id,
                officer_id=None,
            )
            session.commit()
        event_id = session.scalar(
            select(events.Event.id).where(events.Event.title == corpus.packed(200))
        )
    return {"event_id": event_id}


def watch(page) -> list[str]:
    """Dialogs opened by the page (an alert from a payload), dismissed so nothing hangs."""
    dialogs: list[str] = []

    def opened(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", opened)
    return dialogs


def assert_inert(page, dialogs: list[str], where: str) -> None:
    assert dialogs == [], f"{where}: a payload opened a dialog: {dialogs}"
    assert page.errors == [], f"{where}: script errors or CSP refusals: {page.errors}"
    assert page.locator("#xss-dq, #xss-sq, iframe, math").count() == 0, where
    assert "xss-" in page.locator("body").inner_text(), f"{where}: no payload shown as text"


def test_payloads_never_run_in_a_browser(make_page, base_url, poisoned):
    page, _ = make_page()
    dialogs = watch(page)
    pages = {
        "hub": "/",
        "consultation": f"/consultations/{SLUG}",
        "results": f"/consultations/{CLOSED_SLUG}",
        "events": "/events/",
        "event": f"/events/{poisoned['event_id']}",
        "event sign-up": f"/events/{poisoned['event_id']}/sign-up",
    }
    for where, path in pages.items():
        page.goto(base_url + path)
        assert_inert(page, dialogs, where)

    # A resident answers with the payloads and reads them back on check your answers.
    page.goto(f"{base_url}/consultations/{SLUG}/respond")
    assert_inert(page, dialogs, "survey page")
    page.locator("input[type=radio]").first.check()
    page.locator("textarea").first.fill(corpus.PAYLOAD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/check")
    assert_inert(page, dialogs, "check your answers")
    assert "<script>alert('xss-script')</script>" in page.locator("main").inner_text()
