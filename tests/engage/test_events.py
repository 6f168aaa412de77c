"""Forum events: places and the waiting list, promotion on cancellation, nominations within
allocations, the register, feedback to attendees only, reports and the pages."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from openpyxl import load_workbook
from sqlalchemy import select

from engage.audit.models import AuditEvent
from engage.events import attendance, nominations, reports, services
from engage.events.models import EventSignup, SignupStatus
from engage.mail import OutboxEmail, build_message
from surveys.base import utcnow
from surveys.models import ConsultationStatus
from tests import factories
from tests.engage.events_data import details, event


def outbox(db, to: str) -> list[OutboxEmail]:
    db.expire_all()
    return list(db.scalars(select(OutboxEmail).where(OutboxEmail.to == to)))


def test_places_then_waiting_list_then_promotion_in_order(db):
    item = event(capacity=2)
    now = utcnow()
    a, b, c, d = (
        services.sign_up(db, item, details(n), now=now + timedelta(seconds=i))
        for i, n in enumerate(["Ann A", "Ben B", "Cat C", "Dan D"])
    )
    assert [s.status for s in (a, b, c, d)] == ["confirmed", "confirmed", "waiting", "waiting"]
    assert services.waiting_position(db, c) == 1
    assert services.waiting_position(db, d) == 2
    promoted = services.cancel(db, b, now=now)
    assert promoted == [c]
    assert c.status == SignupStatus.CONFIRMED
    assert c.promoted_at is not None
    assert services.waiting_position(db, d) == 1
    assert services.cancel(db, b, now=now) == []  # twice changes nothing
    assert services.cancel(db, d, now=now) == []  # leaving the queue promotes no one
    db.refresh(item)
    assert len(item.confirmed) == 2
    assert item.waiting == []


def test_a_bigger_room_promotes_from_the_waiting_list(db):
    item = event(capacity=1)
    services.sign_up(db, item, details("Ann A"), now=utcnow())
    waiting = services.sign_up(db, item, details("Ben B"), now=utcnow())
    assert services.change_capacity(db, item, 5, now=utcnow()) == [waiting]


def test_sign_up_window():
    from engage.events.models import Event

    now = datetime(2027, 3, 1, 12, tzinfo=UTC)
    e = Event(starts_at=now + timedelta(days=5), ends_at=now + timedelta(days=5, hours=2))
    assert services.signup_state(e, now) == "open"
    e.signup_opens_at = now + timedelta(days=1)
    assert services.signup_state(e, now) == "not_yet"
    e.signup_opens_at, e.signup_closes_at = None, now - timedelta(hours=1)
    assert services.signup_state(e, now) == "closed"


def test_the_calendar_file_is_valid_icalendar(db, app):
    item = event()
    with app.test_request_context():
        from engage.events import ics

        data = ics.calendar(
            item, domain="engage.test", url="https://engage.test/x", partnership="P"
        )
    cal = Calendar.from_ical(data)
    assert cal["METHOD"] == "PUBLISH"
    assert cal["VERSION"] == "2.0"
    (vevent,) = cal.walk("VEVENT")
    assert vevent["UID"] == f"event-{item.id}@engage.test"
    assert vevent.decoded("DTSTART") == item.starts_at.replace(microsecond=0)
    assert vevent.decoded("DTSTART").tzinfo is not None
    assert vevent.decoded("DTEND") == item.ends_at.replace(microsecond=0)
    assert "Craigmuir Town Hall" in str(vevent["LOCATION"])
    assert "Step-free" in str(vevent["DESCRIPTION"])


def test_signing_up_over_http_keeps_needs_and_emails_the_calendar(client, db):
    item = event(capacity=1)
    form = {
        "name": "Ali Resident",
        "email": "Ali@Example.org",
        "needs": ["hearing_loop", "carer"],
        "needs_detail": "",
    }
    response = client.post(f"/events/{item.id}/sign-up", data=form)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You have a place" in page
    signup = db.scalar(select(EventSignup).where(EventSignup.event_id == item.id))
    assert signup.needs == ["hearing_loop", "carer"]
    assert signup.email == "ali@example.org"
    assert signup.check_in_code in page
    (email,) = outbox(db, "ali@example.org")
    message = build_message(email, "engage@example.org")
    (part,) = [p for p in message.iter_attachments()]
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "PUBLISH"
    Calendar.from_ical(part.get_content())
    plain = message.get_body(("plain",)).get_content()
    assert "/events/booking/" in plain
    assert "a hearing loop" in plain
    # The second person is told they are on the waiting list, without a calendar file.
    client.post(f"/events/{item.id}/sign-up", data={"name": "Bo B", "email": "bo@example.org"})
    (waiting,) = outbox(db, "bo@example.org")
    assert "waiting list" in waiting.subject
    assert waiting.attachments == []


def test_mistakes_are_explained_and_what_was_typed_is_kept(client, db):
    item = event()
    response = client.post(
        f"/events/{item.id}/sign-up",
        data={"name": "", "email": "not-an-email", "phone": "abc", "needs": ["dietary"]},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<title>Error:" in page
    assert "Enter your full name" in page
    assert "Enter an email address in the correct format" in page
    assert "Tell us your dietary needs" in page
    assert 'value="not-an-email"' in page
    assert db.scalar(select(EventSignup).where(EventSignup.event_id == item.id)) is None


def test_cancel_link_needs_no_login_and_promotes_the_next_person(client, db, app):
    item = event(capacity=1)
    first = services.sign_up(db, item, details("Ann A"), now=utcnow())
    second = services.sign_up(db, item, details("Ben B"), now=utcnow() + timedelta(seconds=1))
    with app.test_request_context():
        token = services.manage_token(first)
    assert client.get(f"/events/booking/{first.id}-{'0' * 40}").status_code == 404
    assert client.get(f"/events/booking/{token}/cancel").status_code == 200
    assert client.post(f"/events/booking/{token}/cancel").status_code == 303
    db.expire_all()
    assert first.status == "cancelled"
    assert second.status == "confirmed"
    (told,) = outbox(db, "ben@example.org")
    assert told.subject.startswith("A place has come up")
    assert told.attachments[0]["filename"].endswith(".ics")
    assert outbox(db, "ann@example.org")[0].subject.startswith("You have cancelled")


def test_changing_details_from_the_booking_page(client, db, app):
    item = event()
    signup = services.sign_up(db, item, details("Ann A"), now=utcnow())
    with app.test_request_context():
        token = services.manage_token(signup)
    response = client.post(
        f"/events/booking/{token}",
        data={"name": "Ann A", "email": "ann@example.org", "needs": ["bsl", "step_free"]},
    )
    assert response.status_code == 303
    db.expire_all()
    assert signup.needs == ["step_free", "bsl"]


def test_listing_by_area_and_type_shows_public_events_only(client, db):
    north = event(title="North forum", locality="North")
    south = event(title="South workshop", locality="South", kind="workshop")
    partners = event(title="JOG development session", audience="partners")
    invited = event(title="Chief Officers seminar", audience="invited", kind="seminar")
    page = client.get("/events/").get_data(as_text=True)
    assert north.title in page
    assert south.title in page
    assert partners.title not in page
    assert invited.title not in page
    app_localities = client.application.config["LOCALITIES"]
    client.application.config["LOCALITIES"] = ["North", "South"]
    try:
        page = client.get("/events/?locality=North").get_data(as_text=True)
        assert north.title in page
        assert south.title not in page
        page = client.get("/events/?kind=workshop").get_data(as_text=True)
        assert south.title in page
        assert north.title not in page
    finally:
        client.application.config["LOCALITIES"] = app_localities
    assert client.get(f"/events/{partners.id}").status_code == 404  # not for the public
    assert client.get(f"/events/{invited.id}").status_code == 200  # those with the link


def test_jog_members_nominate_within_their_allocation(client, db, auth):
    police = factories.organisation(kind="police")
    jog = factories.user(role="jog", organisation_=police)
    item = event(capacity=10, audience="partners")
    nominations.set_allocations(db, item, {police.id: 1})
    auth.login(jog)
    data = {"name": "Sergeant Kerr", "email": "kerr@example.org"}
    assert client.post(f"/events/{item.id}/nominate", data=data).status_code == 303
    again = client.post(f"/events/{item.id}/nominate", data={**data, "name": "PC Bell"})
    assert again.status_code == 400
    assert "used all 1 of its places" in again.get_data(as_text=True)
    db.expire_all()
    (nominated,) = item.signups
    assert nominated.organisation_id == police.id
    assert nominated.nominated_by_id == jog.id
    # A resident cannot sign up to a partner event.
    auth.logout()
    assert client.get(f"/events/{item.id}/nominate").status_code in (302, 401)


def test_register_ticks_and_codes_and_feedback_goes_to_attendees_only(client, db, auth):
    officer = factories.user(role="officer")
    item = event(capacity=3, organisation=officer.organisation)
    came = services.sign_up(db, item, details("Ann A"), now=utcnow())
    by_code = services.sign_up(db, item, details("Ben B"), now=utcnow())
    absent = services.sign_up(db, item, details("Cat C"), now=utcnow())
    auth.login(officer)
    url = f"/manage/events/{item.id}/register"
    assert client.post(url, data={"attended": [str(came.id)]}).status_code == 303
    bad = client.post(url, data={"code": "ZZZZZZ"})
    assert bad.status_code == 400
    assert "No one at this event" in bad.get_data(as_text=True)
    assert client.post(url, data={"code": by_code.check_in_code.lower()}).status_code == 303
    db.expire_all()
    assert came.checked_in_by == "register"
    assert by_code.checked_in_by == "code"
    assert absent.attended_at is None

    feedback = f"/manage/events/{item.id}/feedback"
    assert client.post(feedback, data={"action": "create"}).status_code == 303
    assert client.post(feedback, data={"action": "send"}).status_code == 303
    db.expire_all()
    assert item.feedback_consultation.status == ConsultationStatus.OPEN
    (asked,) = outbox(db, "ann@example.org")
    assert asked.subject.startswith("How was")
    assert outbox(db, "cat@example.org") == []  # did not come: never asked
    assert by_code.feedback_sent_at
    assert not absent.feedback_sent_at
    # The attendee's own link opens the survey once.
    with client.application.test_request_context():
        link = f"/events/feedback/{services.feedback_token(came)}"
        absent_link = f"/events/feedback/{services.feedback_token(absent)}"
    opened = client.get(link)
    assert opened.status_code == 303
    assert "/respond/" in opened.headers["Location"]
    assert client.get(absent_link).status_code == 404


def test_outcomes_are_published_on_the_event_page(client, db, auth):
    officer = factories.user(role="officer")
    item = event(organisation=officer.organisation)
    auth.login(officer)
    text = "The forum agreed three priorities.\n\nBuses come first."
    client.post(f"/manage/events/{item.id}/outcomes", data={"outcomes": text})
    page = client.get(f"/events/{item.id}").get_data(as_text=True)
    assert "The forum agreed three priorities." in page
    assert "Buses come first." in page


def test_reports_give_counts_to_all_officers_and_names_to_the_organiser(client, db, auth):
    officer = factories.user(role="officer")
    item = event(capacity=1, organisation=officer.organisation)
    services.sign_up(
        db,
        item,
        details(
            "=cmd|' /C calc'!A0", email="x@example.org", needs=["hearing_loop"], locality="North"
        ),
        now=utcnow(),
    )
    services.sign_up(db, item, details("Ben B", needs=["hearing_loop", "bsl"]), now=utcnow())
    summary = reports.summary(item)
    assert ("A hearing loop", 1, 1) in summary.needs
    other = factories.user(role="officer")  # another partner's officer
    auth.login(other)
    page = client.get(f"/manage/events/{item.id}/report").get_data(as_text=True)
    assert "A hearing loop" in page
    assert "Ben B" not in page
    assert client.get(f"/manage/events/{item.id}/sign-ups").status_code == 403
    assert client.get(f"/manage/events/{item.id}/sign-ups.csv").status_code == 403
    assert client.get(f"/manage/events/{item.id}/summary.csv").status_code == 200
    auth.logout()
    auth.login(officer)
    csv = client.get(f"/manage/events/{item.id}/sign-ups.csv").get_data(as_text=True)
    assert "'=cmd" in csv
    assert "Waiting list" in csv
    xlsx = client.get(f"/manage/events/{item.id}/sign-ups.xlsx").get_data()
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet["A2"].value == "'=cmd|' /C calc'!A0"
    summary_xlsx = client.get(f"/manage/events/{item.id}/summary.xlsx").get_data()
    book = load_workbook(io.BytesIO(summary_xlsx))
    assert book.sheetnames == ["Totals", "Needs for the venue", "By organisation", "By area"]
    actions = [
        e.action
        for e in db.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.startswith("export."))
            .order_by(AuditEvent.id)
        )
    ]
    assert actions[-4:] == [
        "export.event_summary",
        "export.event_signups",
        "export.event_signups",
        "export.event_summary",
    ]


def test_officers_create_an_event_and_mistakes_keep_what_was_typed(client, db, auth):
    officer = factories.user(role="officer")
    auth.login(officer)
    bad = client.post(
        "/manage/events/new",
        data={
            "kind": "forum",
            "title": "South forum",
            "date-day": "31",
            "date-month": "2",
            "date-year": "2040",
            "start_time": "7pm",
            "end_time": "6pm",
            "capacity": "lots",
        },
    )
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    for message in ("Enter the venue", "must be a real date", "Enter the number of places"):
        assert message in page
    assert 'value="South forum"' in page
    good = client.post(
        "/manage/events/new",
        data={
            "kind": "forum",
            "title": "South forum",
            "venue": "South Hall",
            "date-day": "3",
            "date-month": "3",
            "date-year": "2040",
            "start_time": "6:30pm",
            "end_time": "20:00",
            "capacity": "40",
            "audience": "public",
            "reminder_hours": "48",
        },
    )
    assert good.status_code == 303
    detail = client.get(good.headers["Location"]).get_data(as_text=True)
    assert "Saturday 3 March 2040, 6:30pm to 8pm" in detail


def test_reminders_go_once_to_people_with_a_place(db, app):
    item = event(capacity=1, starts_at=utcnow() + timedelta(hours=20))
    services.sign_up(db, item, details("Ann A"), now=utcnow())
    services.sign_up(db, item, details("Ben B"), now=utcnow())  # waiting: no reminder
    with app.app_context():
        assert attendance.due_reminders(db, now=utcnow()) == 1
    assert attendance.due_reminders(db, now=utcnow()) == 0
    (reminder,) = [e for e in outbox(db, "ann@example.org") if e.subject.startswith("Reminder")]
    assert reminder.attachments
    assert outbox(db, "ben@example.org") == []
