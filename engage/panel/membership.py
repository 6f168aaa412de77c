"""Which responses to a consultation came from Residents' Panel members, for the findings'
"panel member / not a member" breakdown.

A response counts as a member's when it came through a member's own invitation link (the
panel channel), or when the survey asked for an email address and the address given is an
active member's. Nothing else is guessed: a member who answered on the hub without giving their
address counts as "not a member". Takes a Session and never commits.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engage.panel.models import MemberStatus, PanelInvitation, PanelMember
from surveys.models import Answer, Channel, Question, Response

MEMBER = "member"
NOT_MEMBER = "not_member"
LABELS = {MEMBER: "Residents' Panel member", NOT_MEMBER: "Not a panel member"}


def panel_responses(session: Session, consultation_id: int) -> set[int]:
    """Ids of the consultation's responses that came from panel members."""
    invited = select(PanelInvitation.response_id).where(PanelInvitation.response_id.is_not(None))
    found = set(
        session.scalars(
            select(Response.id).where(
                Response.consultation_id == consultation_id,
                or_(Response.channel == Channel.PANEL, Response.id.in_(invited)),
            )
        )
    )
    given = session.execute(
        select(Answer.response_id, Answer.value)
        .join(Question, Question.id == Answer.question_id)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.consultation_id == consultation_id, Question.type == "email")
    ).all()
    by_address: dict[str, set[int]] = {}
    for response_id, value in given:
        if isinstance(value, str) and value.strip():
            by_address.setdefault(value.strip().lower(), set()).add(response_id)
    if by_address:
        active = session.scalars(
            select(func.lower(PanelMember.email)).where(
                PanelMember.status == MemberStatus.ACTIVE,
                func.lower(PanelMember.email).in_(list(by_address)),
            )
        )
        for address in active:
            found |= by_address.get(address, set())
    return found
