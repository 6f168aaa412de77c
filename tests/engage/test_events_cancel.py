"""Cancelling a whole event: the reason and the check step, who is emailed, the calendar file
that takes it out of calendars, the pages that say so, and what stops (sign-up, reminders,
feedback, promotion from the waiting list)."""

from __future__ import annotations

import base64
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from sqlalchemy import select

from engage.audit.models import AuditEvent
from engage.events import attendance, services
from engage.events.models import SignupStatus
from engage.mail import OutboxEmail, build_message
from surveys.base import utcnow
from tests import factories
from tests.engage.events_data import details, event

REASON = "The town hall is closed for repairs. We will arrange a new date."


def outbox(db, to: str) -> list[OutboxEmail]:
    db.expire_all()
    return list(
        db.scalars(select(OutboxEmail).where(OutboxEmail.to == to).order_by(OutboxEmail.id))
    )


def calendar_of(email: OutboxEmail):
    (item,) = email.attachments
    cal = Calendar.from_ical(base64.b64decode(item["data"]))
    (vevent,) = cal.walk("VEVENT")
    return item, cal, vevent


@pytest.fixture
def booked(client, db, auth):
    """An event with two places taken (Ann's over the web, so she has her confirmation with a
    calendar file), a partner's nomination, one person waiting and one who already cancelled;
    its organiser signed in."""
    officer = factories.user(role="officer")
    item = event(capacity=3, organisation=officer.organisation)
    form = {"name": "Ann A", "email": "ann@example.org"}
    assert client.post(f"/events/{item.id}/sign-up", data=form).status_code == 303
    now = utcnow()
    gone = services.sign_up(db, item, details("Gus G"), now=now)
    services.cancel(db, gone, now=now)
    police = factories.organisation(kind="police")
    later = now + timedelta(seconds=1)
    services.sign_up(db, item, details("Sergeant Kerr"), now=later, organisation_id=police.id)
    services.sign_up(db, item, details("Ben B"), now=later)
    cat = services.sign_up(db, item, details("Cat C"), now=later + timedelta(seconds=1))
    db.expire_all()
    assert len(item.confirmed) == 3
    assert item.waiting == [cat]
    auth.login(officer)
    return item


def test_a_reason_is_asked_for_then_checked_before_anything_happens(client, db, booked):
    url = f"/manage/events/{booked.id}/cancel"
    form = client.get(url)
    assert form.status_code == 200
    assert "We will email the 4 people" in form.get_data(as_text=True)

    blank = client.post(url, data={"reason": "  ", "action": "check"})
    assert blank.status_code == 400
    page = blank.get_data(as_text=True)
    assert "<title>Error:" in page
    assert 'href="#reason"' in page
    assert "Enter why the event is cancelled" in page

    too_long = client.post(url, data={"reason": "x" * 1001, "action": "check"})
    assert too_long.status_code == 400
    assert "1,000 characters or fewer" in too_long.get_data(as_text=True)
    assert "x" * 1001 in too_long.get_data(as_text=True)  # nothing typed is lost

    check = client.post(url, data={"reason": REASON, "action": "check"})
    assert check.status_code == 200
    page = check.get_data(as_text=True)
    assert "Are you sure you want to cancel this event?" in page
    assert "3 people with a place, 1 on the waiting list" in page
    assert f'name="reason" value="{REASON}"' in page

    change = client.post(url, data={"reason": REASON, "action": "change"})
    assert "Why is the event cancelled?" in change.get_data(as_text=True)
    assert REASON in change.get_data(as_text=True)

    db.expire_all()
    assert booked.cancelled_at is None  # neither the form nor the check step cancels
    assert [e.subject for e in db.scalars(select(OutboxEmail))] == [
        "Your place at North Locality Forum"  # Ann's confirmation, and nothing since
    ]


def test_confirming_cancels_and_emails_everyone_still_coming_or_waiting(client, db, booked):
    url = f"/manage/events/{booked.id}/cancel"
    done = client.post(url, data={"reason": REASON, "action": "confirm"})
    assert done.status_code == 303
    assert "We are emailing 4 people" in client.get(done.headers["Location"]).get_data(as_text=True)
    db.expire_all()
    assert booked.cancelled_at is not None
    assert booked.cancellation_reason == REASON
    for person in ("ann", "sergeant", "ben", "cat"):
        emails = [e for e in outbox(db, f"{person}@example.org") if "Cancelled" in e.subject]
        assert len(emails) == 1, person
        message = build_message(emails[0], "engage@example.org")
        plain = message.get_body(("plain",)).get_content()
        assert REASON in plain
        assert emails[0].subject.startswith("Cancelled: North Locality Forum")
    waiting = next(e for e in outbox(db, "cat@example.org") if "Cancelled" in e.subject)
    assert "your place on the waiting list no longer stands" in waiting.body
    # Gus cancelled his own place earlier: not told again.
    assert outbox(db, "gus@example.org") == []
    (row,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "event.cancelled"))
    assert row.target_id == str(booked.id)
    assert row.detail["emailed"] == 4

    # A second confirmation (another tab, a double click) emails no one twice.
    again = client.post(url, data={"reason": REASON, "action": "confirm"})
    assert again.status_code == 303
    assert len([e for e in outbox(db, "ann@example.org") if "Cancelled" in e.subject]) == 1
    assert services.cancel_event(db, booked, "Again", now=utcnow()) is None


def test_the_cancelling_calendar_file_replaces_the_entry_in_calendars(client, db, booked, app):
    (confirmation,) = [e for e in outbox(db, "ann@example.org") if e.attachments]
    _, first_cal, first = calendar_of(confirmation)
    assert first_cal["METHOD"] == "PUBLISH"
    client.post(f"/manage/events/{booked.id}/cancel", data={"reason": REASON, "action": "confirm"})
    cancel = next(e for e in outbox(db, "ann@example.org") if "Cancelled" in e.subject)
    item, cal, vevent = calendar_of(cancel)
    assert item["content_type"] == "text/calendar; charset=utf-8; method=CANCEL"
    assert item["filename"] == f"event-{booked.id}.ics"
    assert cal["METHOD"] == "CANCEL"
    assert cal["VERSION"] == "2.0"
    assert vevent["STATUS"] == "CANCELLED"
    # Same UID, a higher SEQUENCE: the calendar updates (removes) the entry it already holds.
    assert vevent["UID"] == first["UID"]
    host = urlsplit(app.config["BASE_URL"]).hostname
    assert vevent["UID"] == f"event-{booked.id}@{host}"  # BASE_URL's: pages and worker agree
    assert int(vevent["SEQUENCE"]) > int(first["SEQUENCE"])
    # RFC 5546 CANCEL: DTSTAMP, ORGANIZER, SEQUENCE, UID; ATTENDEE names who it is for.
    assert str(vevent["ORGANIZER"]) == f"mailto:{app.config['MAIL_FROM']}"
    assert str(vevent["ATTENDEE"]) == "mailto:ann@example.org"
    assert vevent.get("DTSTAMP") is not None
    assert vevent.decoded("DTSTART") == booked.starts_at.replace(microsecond=0)
    assert REASON in str(vevent["DESCRIPTION"])
    # The MIME part says the method too, as calendar clients read it there.
    message = build_message(cancel, "engage@example.org")
    (part,) = list(message.iter_attachments())
    assert part.get_param("method") == "CANCEL"
    Calendar.from_ical(part.get_content())
    # The public page's calendar file now cancels as well.
    public = client.get(f"/events/{booked.id}/calendar.ics")
    assert public.headers["Content-Type"].endswith("method=CANCEL")
    (public_event,) = Calendar.from_ical(public.data).walk("VEVENT")
    assert public_event["UID"] == first["UID"]
    assert public_event["STATUS"] == "CANCELLED"


def test_pages_show_the_cancellation_and_sign_up_closes(client, db, booked, auth):
    going = event(title="Harbour workshop", kind="workshop")
    client.post(f"/manage/events/{booked.id}/cancel", data={"reason": REASON, "action": "confirm"})
    auth.logout()
    page = client.get(f"/events/{booked.id}").get_data(as_text=True)
    assert "This event has been cancelled." in page
    assert REASON in page
    assert f"/events/{booked.id}/sign-up" not in page
    assert "Take this event out of your calendar" in page
    assert client.get(f"/events/{booked.id}/sign-up").status_code == 410
    before = len(booked.signups)
    refused = client.post(
        f"/events/{booked.id}/sign-up", data={"name": "Dee D", "email": "dee@example.org"}
    )
    assert refused.status_code == 410
    db.expire_all()
    assert len(booked.signups) == before
    # The listing names it under "Cancelled", apart from the events going ahead.
    listing = client.get("/events/").get_data(as_text=True)
    coming, _, cancelled = listing.partition('id="cancelled"')
    assert going.title in coming
    assert booked.title not in coming
    assert booked.title in cancelled
    assert REASON in cancelled
    # A person's own booking page says so, and offers no changes.
    ann = next(s for s in booked.signups if s.name == "Ann A")
    with client.application.test_request_context():
        token = services.manage_token(ann)
    mine = client.get(f"/events/booking/{token}").get_data(as_text=True)
    assert "This event has been cancelled" in mine
    assert "Save changes" not in mine
    assert client.post(f"/events/booking/{token}", data={"name": "X"}).status_code == 410


def test_no_reminders_feedback_or_promotions_for_a_cancelled_event(db, app):
    item = event(capacity=1, starts_at=utcnow() + timedelta(hours=20))
    ann = services.sign_up(db, item, details("Ann A"), now=utcnow())
    ben = services.sign_up(db, item, details("Ben B"), now=utcnow())
    with app.test_request_context():
        told = services.cancel_event(db, item, REASON, now=utcnow())
        assert {s.name for s in told} == {"Ann A", "Ben B"}
        assert attendance.due_reminders(db, now=utcnow()) == 0
        # Ann giving up her place moves no one up: there is no event to come to.
        assert services.cancel(db, ann, now=utcnow()) == []
        db.refresh(ben)
        assert ben.status == SignupStatus.WAITING
        assert services.change_capacity(db, item, 10, now=utcnow()) == []
        attendance.create_feedback_survey(db, item, officer_id=None, now=utcnow())
        ann.status, ann.attended_at = SignupStatus.CONFIRMED, utcnow()
        with pytest.raises(attendance.AttendanceError, match="cancelled"):
            attendance.send_feedback(db, item, now=utcnow())
    assert not [e for e in outbox(db, "ann@example.org") if e.subject.startswith("Reminder")]
    assert not [e for e in outbox(db, "ben@example.org") if "place has come up" in e.subject]


def test_the_reason_is_required_by_the_service_too(db):
    item = event()
    with pytest.raises(services.EventError, match="Enter why"):
        services.cancel_event(db, item, "", now=utcnow())
    assert item.cancelled_at is None


def test_only_the_organiser_cancels_and_not_after_the_event(client, db, auth):
    officer = factories.user(role="officer")
    item = event(organisation=officer.organisation)
    other = factories.user(role="officer")
    auth.login(other)
    refused = client.post(
        f"/manage/events/{item.id}/cancel", data={"reason": REASON, "action": "confirm"}
    )
    assert refused.status_code == 403
    auth.logout()
    auth.login(officer)
    page = client.get(f"/manage/events/{item.id}").get_data(as_text=True)
    assert f"/manage/events/{item.id}/cancel" in page
    past = event(
        organisation=officer.organisation, starts_at=utcnow() - timedelta(days=2), title="Old"
    )
    late = client.post(
        f"/manage/events/{past.id}/cancel", data={"reason": REASON, "action": "confirm"}
    )
    assert late.status_code == 303
    assert "already taken place" in client.get(late.headers["Location"]).get_data(as_text=True)
    db.expire_all()
    assert item.cancelled_at is None
    assert past.cancelled_at is None


def test_the_jog_member_who_nominated_people_is_told_once_naming_them(client, db, auth):
    officer = factories.user(role="officer")
    jog = factories.user(role="jog", name="Jo Gill", email="jo.gill@example.org")
    gone = factories.user(role="jog", email="left@example.org")
    item = event(capacity=5, organisation=officer.organisation)
    police = factories.organisation(kind="police")
    now = utcnow()
    for name in ("Sergeant Kerr", "Inspector Lee"):
        services.sign_up(
            db, item, details(name), now=now, organisation_id=police.id, nominated_by_id=jog.id
        )
    services.sign_up(db, item, details("Ben B"), now=now)
    services.sign_up(
        db, item, details("Pat P"), now=now, organisation_id=police.id, nominated_by_id=gone.id
    )
    gone.active = False  # a disabled account is not emailed
    db.commit()
    auth.login(officer)
    check = client.post(
        f"/manage/events/{item.id}/cancel", data={"reason": REASON, "action": "check"}
    ).get_data(as_text=True)
    # Jo Gill will be told; the disabled account will not, so it is not counted.
    told = "4 people with a place, 0 on the waiting list, and 1 JOG member who nominated people"
    assert told in check

    done = client.post(
        f"/manage/events/{item.id}/cancel", data={"reason": REASON, "action": "confirm"}
    )

    assert done.status_code == 303
    (email,) = outbox(db, "jo.gill@example.org")
    assert email.subject.startswith("Cancelled: North Locality Forum")
    assert "Dear Jo Gill," in email.body
    assert "You nominated Sergeant Kerr, Inspector Lee, and we have told each of them" in (
        " ".join(email.body.split())
    )
    assert REASON in email.body
    assert not email.attachments  # the calendar entries were the nominees', not theirs
    assert outbox(db, "left@example.org") == []
    assert len(outbox(db, "sergeant@example.org")) == 1  # the nominees still get their own
    (row,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "event.cancelled"))
    assert row.detail["nominators_emailed"] == 1
