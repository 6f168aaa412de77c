"""Storing a resident's submission: the response, its answers, its outbox row and the end of
its draft, all in the request's one transaction.

Responses have one writer, ``surveys.services.submit_response``, and one rule for whether a
consultation takes them, ``surveys.services.check_accepting``. This is the busiest write under
load, so on PostgreSQL the same rows are written by one statement (data-modifying CTEs): one
round trip and one plan instead of five, which is most of what a submission costs beyond a bare
insert (docs/benchmarks.md, "Load"). ``tests/engage/test_store.py`` holds the two to the same
rows. Either way a crash or a lost connection leaves all of it or none of it, and a second
submit of the same token fails on the responses' unique constraint.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

from engage import outbox
from surveys import services
from surveys.models import Consultation, Draft, EqualitiesAnswers
from surveys.questions import Parsed

EQUALITIES_COLUMNS = frozenset(EqualitiesAnswers.__table__.c.keys()) - {
    "id",
    "response_id",
    "consultation_id",
}


def store_submission(
    session: Session,
    consultation: Consultation,
    answers: Mapping[int, Parsed],
    *,
    draft: Draft,
    equalities: Mapping[str, str] | None,
    now: datetime,
    one_statement: bool | None = None,
) -> int:
    """Write the response for ``draft`` and return its id; the caller commits.

    ``one_statement`` picks the writer: the PostgreSQL statement (the default there) or the ORM
    (the default elsewhere); the tests ask for each.
    """
    services.check_accepting(consultation, draft.channel, now)
    if one_statement is None:
        one_statement = session.get_bind().dialect.name == "postgresql"
    if not one_statement:
        response = services.submit_response(
            session,
            consultation,
            answers,
            token=draft.token,
            now=now,
            channel=draft.channel,
            equalities=equalities,
            tracked_link_id=draft.tracked_link_id,
        )
        outbox.enqueue(
            session, outbox.RESPONSE_RECEIVED_TASK, [response.id], key=f"response:{response.id}"
        )
        session.delete(draft)
        session.flush()
        return response.id
    return _one_statement(session, consultation, answers, draft, equalities, now)


def _one_statement(
    session: Session,
    consultation: Consultation,
    answers: Mapping[int, Parsed],
    draft: Draft,
    equalities: Mapping[str, str] | None,
    now: datetime,
) -> int:
    params: dict[str, Any] = {
        "consultation_id": consultation.id,
        "channel": draft.channel,
        "tracked_link_id": draft.tracked_link_id,
        "token": draft.token,
        "now": now,
        "task": outbox.RESPONSE_RECEIVED_TASK,
        "draft_id": draft.id,
    }
    parts = [
        "response AS (INSERT INTO responses"
        " (consultation_id, channel, tracked_link_id, submission_token, submitted_at)"
        " VALUES (:consultation_id, :channel, :tracked_link_id, :token, :now) RETURNING id)"
    ]
    rows = []
    for n, question in enumerate(consultation.questions):
        parsed = answers.get(question.id)
        if parsed is None or parsed.is_empty:
            continue
        params.update({f"q{n}": question.id, f"v{n}": json.dumps(parsed.value)})
        params[f"t{n}"] = parsed.text
        rows.append(f"(CAST(:q{n} AS INTEGER), CAST(:v{n} AS JSON), CAST(:t{n} AS TEXT))")
    # Only placeholders and the table's own column names are written into the SQL below.
    if rows:
        values = ", ".join(rows)
        parts.append(
            "answers AS (INSERT INTO answers (response_id, question_id, value, text)"  # noqa: S608  # nosec B608
            " SELECT response.id, a.question_id, a.value, a.text FROM response,"
            f" (VALUES {values}) AS a(question_id, value, text))"
        )
    if consultation.equalities and equalities:
        columns = sorted(equalities)
        unknown = set(columns) - EQUALITIES_COLUMNS
        if unknown:  # the names become SQL: only the table's own columns
            raise ValueError(f"not equalities fields: {sorted(unknown)}")
        params.update({f"eq_{c}": equalities[c] for c in columns})
        names, values = ", ".join(columns), ", ".join(f":eq_{c}" for c in columns)
        parts.append(
            "equalities AS (INSERT INTO equalities_answers"  # noqa: S608  # nosec B608
            f" (response_id, consultation_id, {names})"
            f" SELECT response.id, :consultation_id, {values} FROM response)"
        )
    parts.append(
        "outbox AS (INSERT INTO task_outbox (task, args, key, created_at, attempts)"
        " SELECT :task, json_build_array(response.id), 'response:' || response.id, :now, 0"
        " FROM response)"
    )
    parts.append("draft AS (DELETE FROM drafts WHERE id = :draft_id)")
    statement = "WITH " + ", ".join(parts) + " SELECT id FROM response"  # noqa: S608  # nosec B608
    return int(session.connection().execute(_text(statement), params).scalar_one())


@lru_cache(maxsize=256)
def _text(statement: str) -> TextClause:
    """The statement for a shape of submission (which answers, which equalities fields), made
    once per process: the same few shapes come back on every submit."""
    return text(statement)
