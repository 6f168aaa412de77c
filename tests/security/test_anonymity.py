"""Anonymous responses hold no account id, IP address or user agent: not as a column, and not
hidden in the stored values of a real submission."""

from __future__ import annotations

import json

from sqlalchemy import select

from surveys.models import Answer, Draft, EqualitiesAnswers, Response
from tests import factories
from tests.engage.test_participate import Respondent, form_for

ADDRESS = "198.51.100.23"
AGENT = "Mozilla/5.0 (X11; Linux x86_64) EngageAnonymityProbe/1.0"
WHO = ("ip", "addr", "agent", "user", "account", "email", "remote", "session")


KEYS = {"id", "consultation_id", "question_id", "response_id", "tracked_link_id"}


def test_no_column_can_hold_who_answered():
    for model in (Response, Answer, Draft, EqualitiesAnswers):
        for column in model.__table__.columns:
            where = f"{model.__name__}.{column.name}"
            if column.name.endswith("_id") or column.name == "id":
                assert column.name in KEYS, where
            else:
                assert not any(word in column.name.lower() for word in WHO), where


def test_a_submission_keeps_nothing_about_the_browser(app, db):
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": AGENT})
    item = factories.consultation()
    person = Respondent(client, item)
    person.start()
    assert person.post(1, form_for(item)).status_code == 303
    assert person.submit().status_code == 303
    db.expire_all()
    response = db.scalars(select(Response).where(Response.consultation_id == item.id)).one()
    stored = [
        {c.name: getattr(row, c.key) for c in row.__table__.columns}
        for row in (response, *response.answers)
    ]
    text = json.dumps(stored, default=str)
    assert ADDRESS not in text
    assert "EngageAnonymityProbe" not in text
