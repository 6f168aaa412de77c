"""A resident's submission is written by one of two writers: the ORM (``submit_response``,
everywhere) or one PostgreSQL statement (the default there). Both must leave the same rows: the
response, its non-empty answers, the equalities row, one outbox row and no draft; and both obey
the one accepting rule. On SQLite only the ORM writer exists; CI (PostgreSQL) runs both."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engage import outbox
from engage.participate.store import store_submission
from surveys import drafts, services
from surveys.base import utcnow
from surveys.errors import ConsultationNotOpen
from surveys.models import Answer, Channel, ConsultationStatus, Draft, Response, TrackedLink
from surveys.questions import get_type
from tests import factories
from tests.conftest import configured_database

# The writers this run's database has: the ORM always, the statement on PostgreSQL.
WRITERS = pytest.mark.parametrize(
    "one_statement",
    [False, True] if (configured_database() or "").startswith("postgresql") else [False],
    ids=lambda one: "statement" if one else "orm",
)


def submission(db, channel: str = Channel.HUB):
    item = factories.consultation()
    item.equalities = True
    link = TrackedLink(consultation_id=item.id, code="lib-north", label="North library")
    db.add(link)
    db.flush()
    draft = drafts.save(
        db, item, None, token=drafts.new_token(), values={}, path=[], now=utcnow(),
        channel=channel, tracked_link_id=link.id,
    )  # fmt: skip
    single, multiple, text = item.questions
    raw = {single.id: ["o2"], multiple.id: ["o1", "o3"], text.id: ["  More buses after 7pm  "]}
    answers = {q.id: get_type(q.type).parse(q, raw[q.id]) for q in item.questions}
    return item, draft, answers


def stored(db, response_id: int) -> dict:
    """Everything a submission leaves behind, in a shape both writers can be compared by."""
    db.expire_all()
    response = db.get_one(Response, response_id)
    rows = db.scalars(select(Answer).where(Answer.response_id == response_id)).all()
    task = db.scalar(
        select(outbox.TaskOutbox).where(outbox.TaskOutbox.key == f"response:{response_id}")
    )
    return {
        "channel": response.channel,
        "tracked_link": response.tracked_link_id is not None,
        "token_kept": response.submission_token,
        "answers": sorted((a.question_id, repr(a.value), a.text) for a in rows),
        "equalities": (eq.age_band, eq.sex) if (eq := response.equalities) else None,
        "task": (task.task, task.args, task.published_at) if task else None,
    }


@WRITERS
def test_both_writers_leave_the_same_rows(db, one_statement):
    item, draft, answers = submission(db)
    single, multiple, text = item.questions
    token = draft.token
    response_id = store_submission(
        db, item, answers, draft=draft, equalities={"age_band": "25-34", "sex": "female"},
        now=utcnow(), one_statement=one_statement,
    )  # fmt: skip
    assert stored(db, response_id) == {
        "channel": Channel.HUB,
        "tracked_link": True,
        "token_kept": token,
        "answers": sorted(
            [
                (single.id, repr("o2"), None),
                (multiple.id, repr(["o1", "o3"]), None),
                (text.id, repr("More buses after 7pm"), "More buses after 7pm"),
            ]
        ),
        "equalities": ("25-34", "female"),
        "task": (outbox.RESPONSE_RECEIVED_TASK, [response_id], None),
    }
    assert db.scalar(select(Draft).where(Draft.token == token)) is None


@WRITERS
def test_empty_answers_are_not_stored(db, one_statement):
    item, draft, _ = submission(db)
    single, multiple, text = item.questions
    answers = {
        single.id: get_type(single.type).parse(single, ["o1"]),
        multiple.id: get_type(multiple.type).parse(multiple, []),
        text.id: get_type(text.type).parse(text, ["   "]),
    }
    response_id = store_submission(
        db, item, answers, draft=draft, equalities=None, now=utcnow(), one_statement=one_statement
    )
    assert [a[0] for a in stored(db, response_id)["answers"]] == [single.id]


@WRITERS
@pytest.mark.parametrize("closed_by", ["status", "closing_time"])
def test_neither_writer_takes_a_response_once_closed(db, one_statement, closed_by):
    item, draft, answers = submission(db)
    if closed_by == "status":
        item.status = ConsultationStatus.CLOSED
    else:  # past its closing time, before the tick has closed it
        item.closes_at = utcnow() - timedelta(minutes=1)
    db.flush()
    with pytest.raises(ConsultationNotOpen):
        store_submission(
            db, item, answers, draft=draft, equalities=None, now=utcnow(),
            one_statement=one_statement,
        )  # fmt: skip
    assert db.scalar(select(Response).where(Response.consultation_id == item.id)) is None
    assert db.scalar(select(Draft).where(Draft.token == draft.token)) is not None


def test_an_officer_may_key_in_a_late_paper_return(db):
    item, _, answers = submission(db)
    item.status = ConsultationStatus.CLOSED
    db.flush()
    with pytest.raises(ConsultationNotOpen):
        services.submit_response(db, item, answers, token="t-late-online", now=utcnow())
    response = services.submit_response(
        db, item, answers, token="t-late-paper", now=utcnow(), channel=Channel.PAPER,
        keyed_in=True,
    )  # fmt: skip
    assert response.channel == Channel.PAPER
    assert len(response.answers) == 3
