"""Builders for the privacy tests: consultations with contact details, equalities answers and
free text that names people, and event sign-ups."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from engage.events import services as event_services
from engage.privacy.retention import Defaults
from surveys import drafts, services
from surveys.base import utcnow
from surveys.models import Consultation, ConsultationStatus, EqualitiesAnswers, Response
from surveys.questions import get_type
from tests import factories
from tests.engage.events_data import details, event

DEFAULTS = Defaults(days=730, action="anonymise", event_days=180)
FULL_EQUALITIES = {
    "age_band": "25-34",
    "sex": "female",
    "trans": "no",
    "disability": "yes_a_lot",
    "ethnicity": "white_scottish",
    "sexual_orientation": "bisexual",
    "religion": "none",
    "carer": "none",
    "locality": "North",
}


def consultation(closed_days_ago: int | None, **kw: Any) -> Consultation:
    """A consultation with a choice, a free-text and an email question; closed that long ago
    (None: still open)."""
    now = utcnow()
    if closed_days_ago is None:
        item = factories.consultation(**kw)
    else:
        closes = now - timedelta(days=closed_days_ago)
        item = factories.consultation(
            status=ConsultationStatus.CLOSED,
            opens_at=closes - timedelta(days=30),
            closes_at=closes,
            **kw,
        )
    services.add_question(
        factories.session(), item, type="email", title="Your email, if you want a reply"
    )
    item.equalities = True
    factories.session().flush()
    return item


def respond(item: Consultation, *, text: str, email: str = "", equalities: bool = True) -> Response:
    choice, _many, free, contact = item.questions
    raw = {choice.id: ["o1"], free.id: [text]}
    if email:
        raw[contact.id] = [email]
    parsed = {q.id: get_type(q.type).parse(q, raw[q.id]) for q in item.questions if q.id in raw}
    response = services.submit_response(
        factories.session(), item, parsed, token=drafts.new_token(), now=utcnow(), channel="paper"
    )
    if equalities:
        factories.session().add(
            EqualitiesAnswers(response_id=response.id, consultation_id=item.id, **FULL_EQUALITIES)
        )
        factories.session().flush()
    return response


def signed_up(
    name: str, *, ended_days_ago: int | None = None, attended: bool = False, **kw: Any
) -> Any:
    """A sign-up to a new event (ended that long ago, or in 10 days)."""
    if ended_days_ago is None:
        item = event(capacity=None)
    else:
        start = utcnow() - timedelta(days=ended_days_ago, hours=2)
        item = event(capacity=None, starts_at=start)
    signup = event_services.sign_up(
        factories.session(),
        item,
        details(
            name,
            phone="01632 960 001",
            needs=["hearing_loop", "dietary"],
            needs_detail="No nuts",
            locality="",
            **kw,
        ),
        now=utcnow() - timedelta(days=(ended_days_ago or 0) + 20),
    )
    if attended:
        signup.attended_at = item.starts_at
        signup.checked_in_by = "register"
    factories.session().flush()
    return signup
