"""Concurrent sign-ups never overbook: many people press "Sign up" at once for the last places
of a capacity-5 event, over HTTP in parallel threads, on SQLite and (when configured, as in CI)
PostgreSQL. Exactly 5 get places, the rest are on the waiting list in order, none is lost; then
parallel cancellations promote exactly as many people as left. Sign-ups racing the officer's
cancellation of the whole event are either told of it or refused."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from engage.accounts.models import User
from engage.accounts.services import create_user
from engage.app import create_app
from engage.db import get_session
from engage.events import services
from engage.events.models import Event, EventSignup, SignupStatus
from engage.mail import OutboxEmail
from surveys.base import utcnow
from surveys.models import Organisation
from tests import factories
from tests.conftest import app_config, configured_database, reset_database

PEOPLE = 40
CAPACITY = 5
MODES = ["embedded"] + (["configured"] if configured_database() else [])


@pytest.fixture(params=MODES)
def app(request, tmp_path):
    if request.param == "configured":
        url = configured_database()
    else:
        url = f"sqlite:///{tmp_path}/parallel.sqlite"
    reset_database(url)
    app = create_app(app_config(tmp_path, url, None))
    app.extensions["celery"].send_task = lambda *a, **k: None  # no broker needed here
    yield app
    app.extensions["engine"].dispose()
    # Leave the shared database empty for the next test; the audit log refuses DELETE.
    reset_database(url)


def make_event(app) -> int:
    with app.app_context():
        db = get_session()
        council = Organisation(code="council", name="Craigmuir Council", kind="council")
        db.add(council)
        db.flush()
        start = utcnow() + timedelta(days=7)
        fields = {
            "kind": "forum",
            "title": "North forum",
            "venue": "Town Hall",
            "starts_at": start,
            "ends_at": start + timedelta(hours=2),
            "audience": "public",
            "capacity": CAPACITY,
        }
        event = services.create_event(db, fields, organisation_id=council.id, officer_id=None)
        db.commit()
        return event.id


def run_in_parallel(jobs) -> list:
    barrier = threading.Barrier(len(jobs))

    def go(job):
        barrier.wait()  # everyone presses the button at the same moment
        return job()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(go, jobs))


def test_parallel_sign_ups_never_overbook(app):
    event_id = make_event(app)

    def sign_up(n: int):
        def job():
            client = app.test_client()
            data = {"name": f"Person {n}", "email": f"person{n}@example.org"}
            return client.post(f"/events/{event_id}/sign-up", data=data).status_code

        return job

    codes = run_in_parallel([sign_up(n) for n in range(PEOPLE)])
    assert codes == [303] * PEOPLE

    with app.app_context():
        db = get_session()
        rows = db.scalars(select(EventSignup).where(EventSignup.event_id == event_id)).all()
        assert len(rows) == PEOPLE  # none lost
        confirmed = [r for r in rows if r.status == SignupStatus.CONFIRMED]
        waiting = [r for r in rows if r.status == SignupStatus.WAITING]
        assert len(confirmed) == CAPACITY
        assert len(waiting) == PEOPLE - CAPACITY
        event = db.get(Event, event_id)
        tokens = [services.manage_token(r) for r in confirmed[:3]]
        queue = [s.id for s in event.waiting]

    def cancel(token: str):
        return lambda: app.test_client().post(f"/events/booking/{token}/cancel").status_code

    assert run_in_parallel([cancel(t) for t in tokens]) == [303] * 3

    with app.app_context():
        db = get_session()
        event = db.get(Event, event_id)
        assert len(event.confirmed) == CAPACITY
        promoted = sorted(s.id for s in event.confirmed if s.promoted_at)
        assert promoted == sorted(queue[:3])  # the first three in the queue, no one else
        assert len(event.waiting) == PEOPLE - CAPACITY - 3


def test_sign_ups_racing_a_cancellation_are_all_told_or_all_refused(app):
    """People sign up while the officer cancels: whoever got in before the cancellation is
    emailed about it; whoever came after is refused; no one is left holding a place."""
    event_id = make_event(app)
    with app.app_context():
        db = get_session()
        event = db.get(Event, event_id)
        officer = create_user(
            db,
            email="officer@example.org",
            password=factories.PASSWORD,
            role="officer",
            organisation=event.organisation,
            name="Morag Officer",
        )
        officer.totp_secret = factories.TOTP_SECRET
        db.commit()
        officer_id = officer.id
    officer_client = app.test_client()
    with app.app_context():
        officer = get_session().get(User, officer_id)
        assert factories.sign_in(officer_client, officer).status_code == 302

    def sign_up(n: int):
        def job():
            data = {"name": f"Person {n}", "email": f"person{n}@example.org"}
            client = app.test_client()
            return client.post(f"/events/{event_id}/sign-up", data=data).status_code

        return job

    def cancel():
        form = {"reason": "The hall is flooded.", "action": "confirm"}
        return officer_client.post(f"/manage/events/{event_id}/cancel", data=form).status_code

    codes = run_in_parallel([sign_up(n) for n in range(20)] + [cancel])
    assert codes[-1] == 303
    assert set(codes[:-1]) <= {303, 410}
    with app.app_context():
        db = get_session()
        rows = db.scalars(select(EventSignup).where(EventSignup.event_id == event_id)).all()
        assert len(rows) == codes[:-1].count(303)  # each refused sign-up left no row
        told = set(
            db.scalars(select(OutboxEmail.to).where(OutboxEmail.subject.like("Cancelled:%")))
        )
        assert told == {r.email for r in rows}
