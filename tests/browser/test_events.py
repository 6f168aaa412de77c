"""Event journeys in Chromium, axe-core on every state:

- a resident finds the forum, makes a mistake, signs up with a hearing loop and a carer's place
  (with JavaScript off, at 1280 and 320 px), sees the confirmation, later cancels from their
  own link, and the person on the waiting list is promoted and told;
- an officer creates an event (fixing mistakes), checks people in on the day by ticking the
  register and by code, sends the feedback survey and reads the reports;
- an officer cancels a public event, and a partner event whose check step counts the JOG member
  who nominated staff (at 320 px), who is then emailed naming them.

No worker runs here: emails are read from the outbox.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engage.accounts.models import User
from engage.db import get_session
from engage.events import nominations, services
from engage.events.models import Event, EventSignup
from engage.mail import OutboxEmail
from surveys.base import utcnow
from surveys.models import Organisation
from tests.browser.test_journeys import sign_in
from tests.browser.test_panel import latest_link

pytestmark = pytest.mark.browser


def make_event(live_app, title: str, capacity: int, **kw) -> int:
    with live_app.app_context():
        db = get_session()
        council = db.scalar(select(Organisation).where(Organisation.code == "council"))
        start = utcnow() + timedelta(days=9)
        fields = {
            "kind": "forum",
            "title": title,
            "description": "Meet the partners who plan services in your area.",
            "agenda": "Welcome\nWhat you told us\nQuestions",
            "venue": "Drumlee Community Centre, Mill Road",
            "access_info": "Step-free entrance. Hearing loop in the main hall.",
            "starts_at": start,
            "ends_at": start + timedelta(hours=2),
            "audience": "public",
            "capacity": capacity,
            **kw,
        }
        event = services.create_event(db, fields, organisation_id=council.id, officer_id=None)
        db.commit()
        return event.id


@pytest.mark.parametrize("width", [1280, 320])
def test_resident_signs_up_with_needs_cancels_and_the_next_person_is_promoted(
    make_page, base_url, live_app, width
):
    title = f"Drumlee Forum {width}"
    event_id = make_event(live_app, title, capacity=1)
    page, checker = make_page(width=width)
    page.goto(f"{base_url}/events/")
    checker.check("listing")
    page.click(f"text={title}")
    checker.check("event")
    page.click("text=Sign up")
    checker.check("form")
    page.fill("#email", "not an email")
    page.check("input[name=needs][value=dietary]")
    page.click("button:has-text('Sign up')")
    assert page.title().startswith("Error:")
    assert page.input_value("#email") == "not an email"
    checker.check("errors")
    page.fill("#name", "Ann Resident")
    page.fill("#email", f"ann{width}@example.org")
    page.uncheck("input[name=needs][value=dietary]")
    page.check("input[name=needs][value=hearing_loop]")
    page.check("input[name=needs][value=carer]")
    page.click("button:has-text('Sign up')")
    assert page.locator("h1").inner_text() == "You have a place"
    checker.check("confirmation")
    if width == 320:
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 320, f"page scrolls sideways at 320 px ({scroll})"

    # Someone else joins the waiting list.
    other, other_checker = make_page(width=width)
    other.goto(f"{base_url}/events/{event_id}/sign-up")
    other.fill("#name", "Ben Waiting")
    other.fill("#email", f"ben{width}@example.org")
    other.click("button:has-text('Join the waiting list')")
    assert other.locator("h1").inner_text() == "You are on the waiting list"
    other_checker.check("waiting")

    # Later Ann opens the link from her email, and cancels.
    link = latest_link(live_app, f"ann{width}@example.org", "/events/booking/")
    page.goto(base_url + link)
    checker.check("booking")
    page.click("text=Cancel my place")
    checker.check("cancel-confirm")
    page.click("button:has-text('Yes, cancel my place')")
    assert page.locator("h1").inner_text() == "Your place is cancelled"
    checker.check("cancelled")
    with live_app.app_context():
        db = get_session()
        ben = db.scalar(select(EventSignup).where(EventSignup.email == f"ben{width}@example.org"))
        assert ben.status == "confirmed"
        subjects = db.scalars(
            select(OutboxEmail.subject).where(OutboxEmail.to == f"ben{width}@example.org")
        ).all()
    assert any(s.startswith("A place has come up") for s in subjects)
    assert page.errors == []


def test_officer_creates_an_event_runs_the_register_and_sends_feedback(
    make_page, base_url, live_app
):
    page, checker = make_page()
    sign_in(page, base_url, "officer@example.org")
    page.goto(f"{base_url}/manage/events/")
    checker.check("manage")
    page.click("text=Create an event")
    checker.check("new")
    page.check("input[name=kind][value=workshop]")
    page.fill("#title", "Kirkhallie workshop")
    page.fill("#start_time", "25:00")
    page.click("button:has-text('Create event')")
    assert page.title().startswith("Error:")
    assert page.input_value("#title") == "Kirkhallie workshop"
    checker.check("new-errors")
    page.fill("#venue", "Kirkhallie Library")
    page.fill("#date-day", "12")
    page.fill("#date-month", "6")
    page.fill("#date-year", "2040")
    page.fill("#start_time", "10am")
    page.fill("#end_time", "12:30")
    page.fill("#capacity", "10")
    page.click("button:has-text('Create event')")
    checker.check("event")
    event_url = page.url

    with live_app.app_context():
        db = get_session()
        event = db.scalar(select(Event).where(Event.title == "Kirkhallie workshop"))
        people = [
            services.sign_up(
                db,
                event,
                services.Details(
                    name=n,
                    email=f"{n.split()[0].lower()}@example.org",
                    needs=["step_free"] if n.startswith("Cal") else [],
                ),
                now=utcnow(),
            )
            for n in ("Aileen Ross", "Callum Reid", "Morag Grant")
        ]
        db.commit()
        code = people[1].check_in_code

    page.click("text=Attendance register")
    checker.check("register")
    page.check("label:has-text('Aileen Ross')")
    page.click("button:has-text('Save the register')")
    page.fill("#code", "WRONG1")
    page.click("button:has-text('Check in')")
    assert page.title().startswith("Error:")
    checker.check("register-error")
    page.fill("#code", code.lower())
    page.click("button:has-text('Check in')")
    # The click only waits for the form's navigation to start: wait for the page it leads to.
    expect(page.locator("main")).to_contain_text("Callum Reid is checked in")
    checker.check("register-done")

    page.goto(event_url)
    page.click("button:has-text('Create the feedback survey')")
    page.click("button:has-text('Send it to the 2 people who attended')")
    assert "Feedback survey sent to 2 people who attended" in page.content()
    checker.check("feedback-sent")
    page.click("text=Reports")
    checker.check("reports")
    assert page.errors == []
    with live_app.app_context():
        asked = (
            get_session()
            .scalars(select(OutboxEmail.to).where(OutboxEmail.subject.like("How was Kirkhallie%")))
            .all()
        )
    assert sorted(asked) == ["aileen@example.org", "callum@example.org"]


def test_signing_up_and_cancelling_work_with_javascript_off(make_page, base_url, live_app):
    """The same pages with scripts off (their accessibility is checked above, with scripts on)."""
    title = "Drumlee Forum without scripts"
    make_event(live_app, title, capacity=5)
    page, _ = make_page(javascript=False, width=320)
    page.goto(f"{base_url}/events/")
    page.click(f"text={title}")
    page.click("text=Sign up")
    page.fill("#name", "Cal Noscript")
    page.fill("#email", "not an email")
    page.check("input[name=needs][value=step_free]")
    page.click("button:has-text('Sign up')")
    assert page.title().startswith("Error:")
    assert page.input_value("#name") == "Cal Noscript"
    assert page.is_checked("input[name=needs][value=step_free]")
    page.fill("#email", "cal@example.org")
    page.click("button:has-text('Sign up')")
    assert page.locator("h1").inner_text() == "You have a place"
    link = latest_link(live_app, "cal@example.org", "/events/booking/")
    page.goto(base_url + link)
    page.click("text=Cancel my place")
    page.click("button:has-text('Yes, cancel my place')")
    assert page.locator("h1").inner_text() == "Your place is cancelled"


def test_officer_cancels_an_event_and_everyone_is_told(make_page, base_url, live_app):
    title = "Glenmore Forum"
    event_id = make_event(live_app, title, capacity=1)
    with live_app.app_context():
        db = get_session()
        event = db.get(Event, event_id)
        for name in ("Isla Place", "Euan Waiting"):
            details = services.Details(name=name, email=f"{name.split()[0].lower()}@example.org")
            services.sign_up(db, event, details, now=utcnow())
        db.commit()
    page, checker = make_page()
    sign_in(page, base_url, "officer@example.org")
    page.goto(f"{base_url}/manage/events/{event_id}")
    page.click("text=Cancel the event")
    assert "We will email the 2 people" in page.content()
    checker.check("cancel-form")
    page.click("button:has-text('Continue')")
    assert page.title().startswith("Error:")
    checker.check("cancel-error")
    reason = "The community centre is flooded. We will arrange a new date and email you."
    page.fill("#reason", reason)
    page.click("button:has-text('Continue')")
    assert page.locator("h1").inner_text() == "Are you sure you want to cancel this event?"
    assert "1 person with a place, 1 on the waiting list" in page.content()
    checker.check("cancel-check")
    page.click("button:has-text('Change the reason')")
    assert page.input_value("#reason") == reason  # nothing typed is lost
    page.click("button:has-text('Continue')")
    with page.expect_navigation():  # the POST, its redirect, then the event page loaded
        page.click("button:has-text('Yes, cancel the event')")
    page.wait_for_load_state()
    assert "Event cancelled. We are emailing 2 people" in page.content()
    assert "Cancel the event" not in page.content()
    checker.check("cancelled-manage")

    resident, resident_checker = make_page(width=320)
    resident.goto(f"{base_url}/events/")
    cancelled = resident.locator("#cancelled + p + ul")
    assert title in cancelled.inner_text()
    resident_checker.check("listing")
    resident.click(f"text={title}")
    assert "This event has been cancelled." in resident.content()
    assert reason in resident.content()
    assert resident.locator("text=Sign up").count() == 0
    resident_checker.check("event")
    with live_app.app_context():
        told = (
            get_session()
            .scalars(select(OutboxEmail.to).where(OutboxEmail.subject.like(f"Cancelled: {title}%")))
            .all()
        )
    assert sorted(told) == ["euan@example.org", "isla@example.org"]
    assert page.errors == []
    assert resident.errors == []


def test_cancelling_a_partner_event_counts_and_tells_the_jog_member_who_nominated(
    make_page, base_url, live_app
):
    title = "Partners' planning day"
    event_id = make_event(live_app, title, capacity=10, audience="partners")
    with live_app.app_context():
        db = get_session()
        police = db.scalar(select(Organisation).where(Organisation.code == "police"))
        jog = db.scalar(select(User).where(User.email == "jog@example.org"))
        event = db.get(Event, event_id)
        nominations.set_allocations(db, event, {police.id: 3})
        for name in ("Sergeant Ali Khan", "PC Morag Dunn"):
            nominations.nominate(
                db,
                event,
                services.Details(name=name, email=f"{name.split()[-1].lower()}@example.org"),
                organisation_id=police.id,
                organisation_name=police.name,
                nominated_by_id=jog.id,
                now=utcnow(),
            )
        db.commit()
    page, checker = make_page(width=320)
    sign_in(page, base_url, "officer@example.org")
    page.goto(f"{base_url}/manage/events/{event_id}")
    page.click("text=Cancel the event")
    page.fill("#reason", "The venue is double-booked. We will set a new date.")
    page.click("button:has-text('Continue')")
    assert page.locator("h1").inner_text() == "Are you sure you want to cancel this event?"
    check = page.locator("main").inner_text()
    assert "2 people with a place, 0 on the waiting list" in check
    assert "1 JOG member who nominated people" in check
    checker.check("cancel-check-nominators")
    with page.expect_navigation():
        page.click("button:has-text('Yes, cancel the event')")
    page.wait_for_load_state()
    assert (
        "Event cancelled. We are emailing 2 people to tell them, and 1 JOG member who nominated "
        "them." in page.content()
    )
    with live_app.app_context():
        told = get_session().execute(
            select(OutboxEmail.to, OutboxEmail.body).where(
                OutboxEmail.subject.like(f"Cancelled: {title}%")
            )
        )
        bodies = dict(told.all())
    assert sorted(bodies) == ["dunn@example.org", "jog@example.org", "khan@example.org"]
    assert "You nominated Sergeant Ali Khan, PC Morag Dunn" in bodies["jog@example.org"]
    assert page.errors == []


def test_jog_member_finds_events_open_for_nomination(make_page, base_url, live_app):
    event_id = make_event(live_app, "Partners' data workshop", capacity=20, audience="partners")
    with live_app.app_context():
        db = get_session()
        police = db.scalar(select(Organisation).where(Organisation.code == "police"))
        nominations.set_allocations(db, db.get(Event, event_id), {police.id: 2})
        db.commit()
    page, checker = make_page(width=320)
    sign_in(page, base_url, "jog@example.org")
    page.click("text=Menu")
    page.click("text=Event nominations")
    assert page.locator("h1").inner_text() == "Events open for nomination"
    assert "Police Scotland has 2 places: 0 used, 2 left." in page.content()
    checker.check("nominations")
    page.click("#nominations >> text=Nominate staff")
    assert page.url.endswith(f"/events/{event_id}/nominate")
    checker.check("nominate")
    assert page.errors == []
