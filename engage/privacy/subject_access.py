"""Subject access: everything Engage holds about a person that ``engage.privacy.people`` found,
as one JSON document, and the audit row that says it was given out. Takes a Session and never
commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.audit.models import AuditEvent
from engage.audit.services import record
from engage.panel import privacy as panel_privacy
from engage.privacy.people import Found, Query, searched_by
from engage.privacy.retention import SPECIAL_CATEGORY
from surveys.models import (
    Consultation,
    Question,
    Response,
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _answers(session: Session, response: Response) -> list[dict[str, Any]]:
    rows = []
    for answer in sorted(response.answers, key=lambda a: a.id):
        question = session.get(Question, answer.question_id)
        rows.append(
            {
                "question": question.title if question else "",
                "value": answer.value,
                "text": answer.text,
            }
        )
    return rows


def export(session: Session, query: Query, found: Found) -> dict[str, Any]:
    """Everything found, as one JSON-ready document for a subject-access request."""
    responses = []
    for response in found.responses:
        consultation = session.get(Consultation, response.consultation_id)
        equalities = response.equalities
        responses.append(
            {
                "consultation": consultation.title if consultation else "",
                "submitted_at": _iso(response.submitted_at),
                "channel": response.channel,
                "answers": _answers(session, response),
                "equalities": {
                    key: getattr(equalities, key)
                    for key in (
                        "age_band",
                        "sex",
                        *SPECIAL_CATEGORY,
                        "carer",
                        "locality",
                    )
                }
                if equalities
                else None,
            }
        )
    user_ids = [user.id for user in found.users]
    activity = (
        session.scalars(
            select(AuditEvent).where(AuditEvent.actor_id.in_(user_ids)).order_by(AuditEvent.id)
        ).all()
        if user_ids
        else []
    )
    return {
        "request": {"searched_for": query.as_dict()},
        "accounts": [
            {
                "id": user.id,
                "email": user.email,
                "name": user.name,
                "role": user.role,
                "organisation": user.organisation.name if user.organisation else None,
                "active": user.active,
                "one_time_codes_set_up": bool(user.totp_secret),
                "created_at": _iso(user.created_at),
            }
            for user in found.users
        ],
        "panel_members": [panel_privacy.export(session, member) for member in found.members],
        "event_sign_ups": [
            {
                "event": signup.event.title,
                "event_starts_at": _iso(signup.event.starts_at),
                "status": signup.status,
                "name": signup.name,
                "email": signup.email,
                "phone": signup.phone,
                "organisation": signup.organisation_name
                or (signup.organisation.name if signup.organisation else ""),
                "locality": signup.locality,
                "needs": signup.need_labels,
                "needs_detail": signup.needs_detail,
                "nominated_by_partner": signup.nominated_by_id is not None,
                "signed_up_at": _iso(signup.queued_at),
                "confirmed_at": _iso(signup.confirmed_at),
                "cancelled_at": _iso(signup.cancelled_at),
                "attended_at": _iso(signup.attended_at),
            }
            for signup in found.signups
        ],
        "responses": responses,
        "saved_drafts": [
            {
                "consultation": (
                    c.title if (c := session.get(Consultation, d.consultation_id)) else ""
                ),
                "answers_so_far": d.values,
                "saved_at": _iso(d.updated_at),
                "expires_at": _iso(d.expires_at),
            }
            for d in found.drafts
        ],
        "emails": [
            {
                "to": email.to,
                "subject": email.subject,
                "body": email.body,
                "created_at": _iso(email.created_at),
                "sent_at": _iso(email.sent_at),
            }
            for email in found.emails
        ],
        # Kept after erasure (the log is append-only); it names the account by number only.
        "audit_log_entries_by_their_account": [
            {"at": _iso(event.at), "what": event.action, "account": event.actor_id}
            for event in activity
        ],
    }


def record_export(session: Session, query: Query, found: Found, *, actor: Any, secret: str) -> None:
    record(
        session,
        action="privacy.person.exported",
        actor=actor,
        target_type="person",
        target_id=query.reference(secret),
        detail={"searched_by": searched_by(query), **found.counts()},
    )
