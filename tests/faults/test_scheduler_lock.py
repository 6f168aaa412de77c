"""The scheduler runs once: a tick started while another holds the lock (a second beat, or a slow
tick overlapping the next) does nothing, and two ticks at the same moment send one reminder."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engage import locks
from engage.db import get_session
from engage.events import services
from engage.mail import OutboxEmail
from surveys.base import utcnow
from tests import factories
from worker import tasks

pytestmark = pytest.mark.faults


def event_with_a_reminder_due(app, people: int) -> None:
    with app.app_context():
        session = get_session()
        factories.bind(session)
        council = factories.organisation()
        start = utcnow() + timedelta(hours=30)  # inside its 48-hour reminder window
        fields = {
            "kind": "forum",
            "title": "North Locality Forum",
            "venue": "Town Hall",
            "starts_at": start,
            "ends_at": start + timedelta(hours=2),
            "audience": "public",
            "capacity": people,
            "reminder_hours": 48,
        }
        event = services.create_event(session, fields, organisation_id=council.id, officer_id=None)
        for n in range(people):
            details = services.Details(name=f"Person {n}", email=f"person{n}@example.org")
            services.sign_up(session, event, details, now=utcnow())
        session.execute(OutboxEmail.__table__.delete())  # the sign-up confirmations
        session.commit()
        factories.bind(None)  # type: ignore[arg-type]


def reminders(app) -> int:
    with app.app_context():
        session = get_session()
        count = session.scalar(select(func.count()).where(OutboxEmail.subject.like("Reminder:%")))
        session.commit()
        return int(count)


def tick(app) -> dict:
    with app.app_context():
        return tasks.tick.run()


def test_a_tick_while_another_holds_the_lock_does_nothing(live):
    event_with_a_reminder_due(live, people=3)
    engine = live.extensions["engine"]
    with locks.only_one(engine, "tick", folder=live.instance_path) as first:
        assert first
        assert tick(live) == {"skipped": 1}  # the second beat's tick
        assert reminders(live) == 0
    outcome = tick(live)  # the lock was released: the next tick does the work, once
    assert outcome["event_reminders"] == 3
    assert tick(live)["event_reminders"] == 0
    assert reminders(live) == 3


def test_two_ticks_at_the_same_moment_send_each_reminder_once(live):
    event_with_a_reminder_due(live, people=3)
    barrier = threading.Barrier(2)
    outcomes: list[dict] = []

    def beat() -> None:
        barrier.wait()
        outcomes.append(tick(live))

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 2
    assert sum(o.get("event_reminders", 0) for o in outcomes) == 3
    assert reminders(live) == 3


def test_the_lock_is_freed_when_its_holder_dies(live, postgres):
    """A worker killed mid-tick: the server ends its connection, and with it the lock."""
    key = locks.lock_key("tick")
    holder = subprocess.Popen(  # a process that takes the lock and is then killed
        [
            sys.executable,
            "-c",
            "import sys, time, psycopg\n"
            f"c = psycopg.connect('host=127.0.0.1 port={postgres.port} user=postgres', "
            "autocommit=True)\n"
            f"c.execute('select pg_advisory_lock({key})')\n"
            "print('held', flush=True)\n"
            "time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        assert tick(live) == {"skipped": 1}
    finally:
        holder.kill()
        holder.wait(timeout=10)
        holder.stdout.close()
    deadline = time.monotonic() + 10
    while tick(live) == {"skipped": 1}:
        assert time.monotonic() < deadline, "the dead holder's lock was never released"
        time.sleep(0.2)
