"""Rate limits on the public forms that store or send something: new survey responses per
network address and consultation, event sign-ups per email address and network address (the
panel's are in test_panel_refresh). Over a limit a person is told plainly, with a 429, and
keeps everything typed; nothing is stored."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engage import ratelimit
from engage.events.models import EventSignup
from engage.web.events import views as event_views
from surveys.models import Draft
from tests import factories
from tests.engage.events_data import event
from tests.engage.test_participate import Respondent, form_for

BUSY = "A great many responses have been started from your network in the last hour"
TOO_MANY = "There have been too many sign-ups from this email address or this device"


def count(db, model, *where) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def two_starts_an_hour(app, monkeypatch):
    monkeypatch.setitem(app.config, "SURVEY_STARTS_PER_HOUR", 2)


def test_survey_starts_over_the_limit_are_paused_with_the_answers_kept(
    two_starts_an_hour, client, db
):
    item = factories.consultation()
    for _ in range(2):
        person = Respondent(client, item)
        person.start()
        assert person.post(1, form_for(item)).status_code == 303
    assert count(db, Draft, Draft.consultation_id == item.id) == 2

    third = Respondent(client, item)
    third.start()
    response = third.post(1, form_for(item, text="Buses after 6pm, please"))
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert BUSY in page
    assert "Buses after 6pm, please" in page  # what the person typed is still on the page
    assert count(db, Draft, Draft.consultation_id == item.id) == 2

    # Those already answering carry on, and another consultation is counted apart.
    assert person.post(1, form_for(item)).status_code == 303
    other = factories.consultation()
    elsewhere = Respondent(client, other)
    elsewhere.start()
    assert elsewhere.post(1, form_for(other)).status_code == 303


def test_a_page_with_mistakes_does_not_use_up_a_start(two_starts_an_hour, client, db):
    item = factories.consultation()
    person = Respondent(client, item)
    person.start()
    for _ in range(3):  # nothing stored, so nothing counted
        assert person.post(1, {}).status_code == 400
    assert person.post(1, form_for(item)).status_code == 303


def test_the_default_is_generous_enough_for_a_school_or_library(app):
    assert app.config["SURVEY_STARTS_PER_HOUR"] >= 500


def test_event_sign_ups_over_the_limit_are_refused_plainly(app, client, db, monkeypatch):
    limits = (ratelimit.Limit("events.sign_up.address", 1, timedelta(days=1)),)
    monkeypatch.setattr(event_views, "SIGN_UP_LIMITS", limits)
    first, second = event(), event()
    form = {"name": "Ali Resident", "email": "ali@example.org", "needs": ["hearing_loop"]}
    assert client.post(f"/events/{first.id}/sign-up", data=form).status_code == 303

    response = client.post(f"/events/{second.id}/sign-up", data=form)
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert TOO_MANY in page
    assert 'value="Ali Resident"' in page
    assert re.search(r'value="hearing_loop"[^>]*checked', page)
    assert count(db, EventSignup, EventSignup.event_id == second.id) == 0

    # Someone else, from the same device, is not held up by Ali's address.
    other = {"name": "Bo Resident", "email": "bo@example.org"}
    assert client.post(f"/events/{second.id}/sign-up", data=other).status_code == 303


def test_event_sign_up_limits_cover_address_and_device():
    buckets = {limit.bucket for limit in event_views.SIGN_UP_LIMITS}
    assert buckets == {"events.sign_up.address", "events.sign_up.ip"}
