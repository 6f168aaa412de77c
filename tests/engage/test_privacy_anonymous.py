"""Anonymous responses hold no account, IP address or user agent, and no log line carries what
a resident wrote."""

from __future__ import annotations

import logging

from sqlalchemy import inspect, select

from engage.outbox import RESPONSE_RECEIVED_TASK, TaskOutbox
from surveys.models import Answer, Draft, EqualitiesAnswers, Response
from tests import factories
from tests.engage.test_participate import Respondent, form_for
from worker import tasks

SECRET_ANSWER = "Zebra crossing outside number 14 please, from Morag Quinlan"
IDENTIFYING = ("ip", "address", "agent", "user", "account", "email", "session", "referrer")


def test_no_table_of_answers_has_a_place_for_who_sent_them(db):
    for model in (Response, Answer, EqualitiesAnswers, Draft):
        columns = [c.key for c in inspect(model).columns]
        for column in columns:
            assert not any(word in column for word in IDENTIFYING), (model.__name__, column)


def test_a_submission_logs_no_answer_and_stores_no_account_ip_or_agent(
    app, client, auth, db, caplog
):
    item = factories.consultation()
    resident = factories.user("resident", email="morag.quinlan@example.org")
    auth.login(resident)  # signed in: still not tied to the response
    person = Respondent(client, item)
    caplog.set_level(logging.DEBUG)
    environ = {"REMOTE_ADDR": "203.0.113.7", "HTTP_USER_AGENT": "AgentSmith/9.9"}
    client.environ_base.update(environ)
    person.start()
    person.post(1, form_for(item, text=SECRET_ANSWER))
    assert person.submit().status_code == 303
    db.expire_all()
    response = db.scalars(select(Response).where(Response.consultation_id == item.id)).one()
    stored = {c.key: getattr(response, c.key) for c in inspect(Response).columns}
    for answer in response.answers:
        stored.update({f"answer.{c.key}": getattr(answer, c.key) for c in inspect(Answer).columns})
    text = repr(stored)
    assert SECRET_ANSWER in text  # the answer itself is stored ...
    for detail in ("203.0.113.7", "AgentSmith", resident.email):
        assert detail not in text  # ... with nothing about who sent it
    # The worker's part of the submission logs too (the outbox row written with the response).
    row = db.scalars(select(TaskOutbox).where(TaskOutbox.task == RESPONSE_RECEIVED_TASK)).one()
    with app.app_context():
        assert tasks.response_received.run(row.id, *row.args)
    assert any("received" in record.getMessage() for record in caplog.records)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for word in ("Zebra", "Quinlan", "number 14"):
        assert word not in logged
