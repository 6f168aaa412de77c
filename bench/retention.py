"""How long the retention job takes to anonymise a big consultation, on the configured database.

    ENGAGE_DATABASE_URL=postgresql+psycopg://... python -m bench.retention 5000

Builds a scratch database schema (it drops every table first: never point it at real data),
stores N responses (a choice, free text with personal details, an email address and the full
equalities block), then times ``retention.apply_due`` once and a second, idempotent run.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta

from sqlalchemy.orm import Session


def main(count: int) -> None:
    from engage.db import make_engine
    from engage.privacy import retention
    from surveys import services
    from surveys.base import utcnow
    from surveys.models import ConsultationStatus, EqualitiesAnswers, Organisation
    from surveys.questions import get_type
    from tests.conftest import reset_database

    url = os.environ.get("ENGAGE_DATABASE_URL") or "sqlite:///bench-retention.sqlite"
    reset_database(url)
    engine = make_engine(url)
    now = utcnow()
    with Session(engine) as session:
        org = Organisation(code="council", name="Council", kind="council")
        session.add(org)
        session.flush()
        item = services.create_consultation(
            session,
            title="Bench",
            summary="",
            organisation_id=org.id,
            opens_at=now - timedelta(days=900),
            closes_at=now - timedelta(days=800),
        )
        for kind, title in (("single_choice", "Satisfied?"), ("long_text", "Why?")):
            services.add_question(session, item, type=kind, title=title, options=["Yes", "No"])
        services.add_question(session, item, type="email", title="Email")
        choice, free, email = item.questions
        for n in range(count):
            raw = {
                choice.id: ["o1"],
                free.id: [f"My name is Fiona Mackay {n}, call 07700 900{n % 1000:03d}"],
                email.id: [f"person{n}@example.org"],
            }
            parsed = {q.id: get_type(q.type).parse(q, raw[q.id]) for q in item.questions}
            response = services.submit_response(
                session, item, parsed, token=f"bench-{n:08d}-token-xxxxxx", now=now, channel="paper"
            )
            session.add(
                EqualitiesAnswers(
                    response_id=response.id,
                    consultation_id=item.id,
                    age_band="25-34",
                    ethnicity="white_scottish",
                    religion="none",
                )
            )
        item.status = ConsultationStatus.CLOSED
        session.commit()
    defaults = retention.Defaults(days=730, action="anonymise", event_days=180)
    for label in ("first run", "second run"):
        with Session(engine) as session:
            started = time.perf_counter()
            outcome = retention.apply_due(session, now=utcnow(), defaults=defaults)
            session.commit()
            took = time.perf_counter() - started
        print(f"{label}: {took:.2f} s for {count} responses, {outcome}")
    engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
