"""A member's data protection rights and the retention schedule.

- Subject access: everything held on a member as one JSON document.
- Erasure: the member, their invitations and the answers they gave through their links are
  deleted; emails still waiting in the outbox for them are dropped.
- Retention: former members' contact details are deleted once the configured period has passed
  (their profile codes stay, unlinked from anyone, for the history of the panel's balance), and
  sign-ups never confirmed within 30 days are deleted.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engage.audit.services import record
from engage.mail import OutboxEmail
from engage.panel.models import FORMER, MemberStatus, PanelMember
from surveys.models import Answer, Question, Response

UNCONFIRMED_KEEP = timedelta(days=30)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export(session: Session, member: PanelMember) -> dict[str, Any]:
    """Everything Engage holds about a member, for a subject-access request."""
    invitations = []
    for invite in member.invitations:
        answers = []
        if invite.response_id is not None:
            response = session.get(Response, invite.response_id)
            for answer in response.answers if response else []:
                question = session.get(Question, answer.question_id)
                answers.append(
                    {
                        "question": question.title if question else "",
                        "value": answer.value,
                        "text": answer.text,
                    }
                )
        invitations.append(
            {
                "exercise": invite.exercise.title,
                "consultation": invite.exercise.consultation.title,
                "invited_at": _iso(invite.invited_at),
                "reminders": invite.reminders,
                "responded_at": _iso(invite.responded_at),
                "answers": answers,
            }
        )
    return {
        "member": {
            "id": member.id,
            "status": member.status,
            "name": member.name,
            "email": member.email,
            "phone": member.phone,
            "address": member.address,
            "postcode": member.postcode,
            "profile": member.profile,
            "contact_by": member.contact_by,
            "newsletters": member.newsletters,
            "consent_version": member.consent_version,
            "consented_at": _iso(member.consented_at),
            "joined_via": member.joined_via,
            "recruitment_wave": member.recruitment_wave,
            "confirmed_at": _iso(member.confirmed_at),
            "term_ends_at": _iso(member.term_ends_at),
            "left_at": _iso(member.left_at),
            "bounced_at": _iso(member.bounced_at),
            "unsubscribed_at": _iso(member.unsubscribed_at),
            "created_at": _iso(member.created_at),
        },
        "invitations": invitations,
    }


def erase(session: Session, member: PanelMember, *, actor: Any = None) -> None:
    """Delete a member and everything tied to them, on their request."""
    response_ids = [i.response_id for i in member.invitations if i.response_id is not None]
    if member.email:
        session.execute(
            delete(OutboxEmail).where(OutboxEmail.to == member.email, OutboxEmail.sent_at.is_(None))
        )
    record(
        session,
        action="panel.member.erased",
        actor=actor,
        target_type="panel_member",
        target_id=member.id,
        detail={"responses_deleted": len(response_ids)},
    )
    session.delete(member)
    session.flush()
    if response_ids:
        session.execute(delete(Answer).where(Answer.response_id.in_(response_ids)))
        for response in session.scalars(select(Response).where(Response.id.in_(response_ids))):
            session.delete(response)
    session.flush()


def clear_contact_details(member: PanelMember) -> None:
    member.name = ""
    member.email = None
    member.phone = ""
    member.address = ""
    member.postcode = ""
    member.sign_in_hash = None
    member.confirm_hash = None
    member.status = MemberStatus.REMOVED


def apply_retention(session: Session, *, now: datetime, retention_days: int) -> dict[str, int]:
    """The retention job: run by the worker's tick."""
    cutoff = now - timedelta(days=retention_days)
    former = session.scalars(
        select(PanelMember).where(
            PanelMember.status.in_(list(FORMER)),
            PanelMember.left_at.is_not(None),
            PanelMember.left_at <= cutoff,
        )
    ).all()
    for member in former:
        clear_contact_details(member)
    stale = session.scalars(
        select(PanelMember).where(
            PanelMember.status == MemberStatus.PENDING,
            PanelMember.consented_at <= now - UNCONFIRMED_KEEP,
        )
    ).all()
    for member in stale:
        session.delete(member)
    if former or stale:
        record(
            session,
            action="panel.retention",
            target_type="panel_member",
            detail={"contact_details_removed": len(former), "unconfirmed_deleted": len(stale)},
        )
    session.flush()
    return {"panel_details_removed": len(former), "panel_unconfirmed_deleted": len(stale)}


def retire_ended_terms(session: Session, *, now: datetime) -> int:
    """Members whose term has ended stop being invited; their details then follow retention."""
    ended = session.scalars(
        select(PanelMember).where(
            PanelMember.status == MemberStatus.ACTIVE,
            PanelMember.term_ends_at.is_not(None),
            PanelMember.term_ends_at <= now,
        )
    ).all()
    for member in ended:
        member.status = MemberStatus.RETIRED
        member.left_at = now
        member.session_version += 1
    session.flush()
    return len(ended)
