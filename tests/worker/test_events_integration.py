"""Events end to end: pages over HTTP, a real Celery worker sending the outbox through a real
local SMTP server, and the tests reading what arrived.

Sign-up → confirmation with a calendar file → the next person waits → a cancellation promotes
them and they are told → the worker's tick sends reminders before the event → the register →
the feedback survey reaches the person who came and not the one who did not.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar

from engage.db import get_session
from engage.events import services
from engage.events.models import Event
from surveys.base import utcnow
from tests import factories
from tests.worker.test_integration import PASSWORD, live, login, worker  # noqa: F401 - fixtures
from tests.worker.test_panel_integration import smtp  # noqa: F401 - fixture

pytestmark = pytest.mark.integration


def parts(message):
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    files = [p for p in message.iter_attachments()]
    return plain, html, files


def link(plain: str, marker: str) -> str:
    for word in plain.split():
        if marker in word:
            return "/" + word.split("/", 3)[3]
    raise AssertionError(f"no {marker} link in {plain}")


def test_sign_up_cancel_promote_remind_and_feedback_through_the_worker(smtp, live, worker):  # noqa: F811
    with live.app_context():
        session = get_session()
        council = factories.partner_staff(session, PASSWORD)
        start = utcnow() + timedelta(hours=30)  # inside the default 48-hour reminder window
        fields = {
            "kind": "forum",
            "title": "North Locality Forum",
            "venue": "Town Hall",
            "starts_at": start,
            "ends_at": start + timedelta(hours=2),
            "audience": "public",
            "capacity": 1,
            "reminder_hours": 48,
        }
        event_id = services.create_event(
            session, fields, organisation_id=council.id, officer_id=None
        ).id
        session.commit()

    ann, ben = live.test_client(), live.test_client()
    form = {"name": "Ann Resident", "email": "ann@example.org", "needs": ["hearing_loop", "carer"]}
    assert ann.post(f"/events/{event_id}/sign-up", data=form).status_code == 303
    (confirmation,) = smtp.wait("ann@example.org", 1)
    plain, html, files = parts(confirmation)
    assert confirmation["Subject"] == "Your place at North Locality Forum"
    assert "a hearing loop, a place for a carer" in plain
    assert "<p>" in html
    (calendar,) = files
    assert calendar.get_filename() == f"event-{event_id}.ics"
    (vevent,) = Calendar.from_ical(calendar.get_content()).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "North Locality Forum"
    cancel_link = link(plain, "/events/booking/")

    ben.post(f"/events/{event_id}/sign-up", data={"name": "Ben", "email": "ben@example.org"})
    (waiting,) = smtp.wait("ben@example.org", 1)
    assert "number 1 on the waiting list" in parts(waiting)[0]

    assert ann.post(f"{cancel_link}/cancel").status_code == 303
    cancelled = smtp.wait("ann@example.org", 2)[1]
    assert cancelled["Subject"].strip().startswith("You have cancelled")
    promoted = smtp.wait("ben@example.org", 2)[1]
    assert promoted["Subject"] == "A place has come up: you can come to North Locality Forum"
    assert len(parts(promoted)[2]) == 1  # the calendar file

    # The worker's tick (as beat runs it) sends the reminder to the person with a place only.
    live.extensions["celery"].send_task("worker.tasks.tick")
    reminder = smtp.wait("ben@example.org", 3)[2]
    assert reminder["Subject"].strip().startswith("Reminder: North Locality Forum")
    assert len(smtp.to("ann@example.org")) == 2

    # A second person comes; Ben is ticked off in the register; feedback goes to Ben only.
    cat = live.test_client()
    cat.post(f"/events/{event_id}/sign-up", data={"name": "Cat", "email": "cat@example.org"})
    smtp.wait("cat@example.org", 1)
    officer = live.test_client()
    login(officer, "officer@example.org")
    with live.app_context():
        event = get_session().get(Event, event_id)
        event.capacity = 5
        ben_id = next(s.id for s in event.signups if s.email == "ben@example.org")
        get_session().commit()
    officer.post(f"/manage/events/{event_id}/register", data={"attended": [str(ben_id)]})
    officer.post(f"/manage/events/{event_id}/feedback", data={"action": "create"})
    sent = officer.post(f"/manage/events/{event_id}/feedback", data={"action": "send"})
    assert sent.status_code == 303
    feedback = smtp.wait("ben@example.org", 4)[3]
    assert feedback["Subject"].strip().startswith("How was North Locality Forum")
    opened = ben.get(link(parts(feedback)[0], "/events/feedback/"))
    assert opened.status_code == 303
    assert "/respond/" in opened.headers["Location"]
    assert all("How was" not in m["Subject"] for m in smtp.to("cat@example.org"))


def test_cancelling_the_event_tells_everyone_through_the_worker(
    smtp,  # noqa: F811 - the fixture imported above
    live,  # noqa: F811
    worker,  # noqa: F811
    tmp_path,
):
    with live.app_context():
        session = get_session()
        council = factories.partner_staff(session, PASSWORD)
        start = utcnow() + timedelta(hours=30)  # reminders would be due now, were it going ahead
        fields = {
            "kind": "workshop",
            "title": "Harbour workshop",
            "venue": "Harbour Hall",
            "starts_at": start,
            "ends_at": start + timedelta(hours=2),
            "audience": "public",
            "capacity": 1,
            "reminder_hours": 48,
        }
        event_id = services.create_event(
            session, fields, organisation_id=council.id, officer_id=None
        ).id
        session.commit()

    resident = live.test_client()
    resident.post(f"/events/{event_id}/sign-up", data={"name": "Ann", "email": "ann@example.org"})
    resident.post(f"/events/{event_id}/sign-up", data={"name": "Ben", "email": "ben@example.org"})
    (confirmation,) = smtp.wait("ann@example.org", 1)
    smtp.wait("ben@example.org", 1)  # the waiting list
    (placed,) = parts(confirmation)[2]
    (booked,) = Calendar.from_ical(placed.get_content()).walk("VEVENT")

    officer = live.test_client()
    login(officer, "officer@example.org")
    reason = "The hall's heating has failed. We will set a new date soon."
    url = f"/manage/events/{event_id}/cancel"
    assert officer.post(url, data={"reason": reason, "action": "check"}).status_code == 200
    assert len(smtp.to("ann@example.org")) == 1  # the check step sends nothing
    assert officer.post(url, data={"reason": reason, "action": "confirm"}).status_code == 303

    host = urlsplit(live.config["BASE_URL"]).hostname  # not the page's: pages and worker agree
    for address, count in (("ann@example.org", 2), ("ben@example.org", 2)):
        told = smtp.wait(address, count)[-1]
        assert told["Subject"].strip().startswith("Cancelled: Harbour workshop")
        plain, html, files = parts(told)
        assert reason in plain
        assert "<p>" in html
        (calendar,) = files
        assert calendar.get_content_type() == "text/calendar"
        assert calendar.get_param("method") == "CANCEL"
        cal = Calendar.from_ical(calendar.get_content())
        assert cal["METHOD"] == "CANCEL"
        (vevent,) = cal.walk("VEVENT")
        assert vevent["STATUS"] == "CANCELLED"
        assert vevent["UID"] == booked["UID"] == f"event-{event_id}@{host}"
        assert int(vevent["SEQUENCE"]) > int(booked["SEQUENCE"])
        assert str(vevent["ATTENDEE"]) == f"mailto:{address}"

    page = resident.get(f"/events/{event_id}").get_data(as_text=True)
    assert "This event has been cancelled." in page
    # The worker's tick would remind Ann now; for a cancelled event it sends nothing.
    live.extensions["celery"].send_task("worker.tasks.tick")
    log = tmp_path / "worker.log"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not re.search(r"tick\[\S+\] succeeded", log.read_text()):
        time.sleep(0.2)
    (done,) = re.findall(r"tick\[\S+\] succeeded.*", log.read_text())
    assert "'event_reminders': 0" in done
    assert len(smtp.to("ann@example.org")) == 2
    assert len(smtp.to("ben@example.org")) == 2
