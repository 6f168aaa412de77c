"""Exercises: a consultation sent to the panel, or a stratified sample, with unique links,
reminders to those who have not answered, and response rates.

A member's link opens a survey draft of the exercise's consultation on the panel channel; the
draft's token becomes the response's, and the response is tied back to the invitation in the
transaction that stores it. So a link answers once, and only its own exercise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.panel import emails
from engage.panel.models import (
    ExerciseStatus,
    MemberStatus,
    PanelExercise,
    PanelInvitation,
    PanelMember,
)
from engage.panel.sampling import stratified_sample
from surveys import drafts, services
from surveys.lifecycle import has_results
from surveys.models import Channel, Consultation, Draft, Response
from surveys.numbers import percent


class ExerciseError(ValueError):
    """An exercise that cannot be sent as asked; the message says why, in plain English."""


def create(
    session: Session,
    consultation: Consultation,
    *,
    title: str,
    send_on: datetime | None,
    sample_size: int | None,
    strata: Sequence[str],
    reminder_days: Sequence[int],
    officer_id: int | None,
) -> PanelExercise:
    exercise = PanelExercise(
        consultation_id=consultation.id,
        title=title,
        send_on=send_on,
        sample_size=sample_size,
        strata=list(strata),
        reminder_days=sorted(set(reminder_days)),
        created_by_id=officer_id,
    )
    session.add(exercise)
    session.flush()
    return exercise


def active_members(session: Session) -> list[PanelMember]:
    return list(
        session.scalars(
            select(PanelMember)
            .where(PanelMember.status == MemberStatus.ACTIVE)
            .order_by(PanelMember.id)
        )
    )


def choose(
    exercise: PanelExercise, pool: Sequence[PanelMember], seed: int | None = None
) -> list[PanelMember]:
    """The members an exercise goes to: everyone, or a proportional stratified sample."""
    if exercise.sample_size is None or exercise.sample_size >= len(pool):
        return list(pool)
    by_id = {m.id: m for m in pool}
    ids = stratified_sample(
        [(m.id, m.profile) for m in pool], exercise.strata, exercise.sample_size, seed=seed
    )
    return [by_id[i] for i in ids]


def send(
    session: Session, exercise: PanelExercise, *, now: datetime, seed: int | None = None
) -> int:
    """Invite the chosen members (an email each, or a paper letter for those contacted by post).

    Sending twice invites nobody twice: the invitations are made once.
    """
    if exercise.status == ExerciseStatus.SENT:
        return 0
    if not services.is_accepting(exercise.consultation, now):
        raise ExerciseError(
            "The consultation is not open, so members could not answer. Open it first, "
            "or change the date to send."
        )
    chosen = choose(exercise, active_members(session), seed=seed)
    if not chosen:
        raise ExerciseError("There are no active panel members to send it to.")
    for member in chosen:
        invite = PanelInvitation(
            exercise=exercise,
            member=member,
            token_hash=emails.token_hash(emails.invitation_token(exercise.id, member.id)),
            invited_at=now,
        )
        session.add(invite)
        session.flush()
        if member.emailable:
            emails.invitation(session, invite)
    exercise.status = ExerciseStatus.SENT
    exercise.sent_at = now
    session.flush()
    return len(chosen)


def due_reminders(exercise: PanelExercise, now: datetime) -> int:
    """How many of the exercise's reminder days have passed (the officer's schedule)."""
    if exercise.sent_at is None:
        return 0
    return sum(
        1 for days in exercise.reminder_days if exercise.sent_at + timedelta(days=days) <= now
    )


def remind(session: Session, exercise: PanelExercise, *, now: datetime) -> int:
    """Remind the invited members who have not answered, and only them."""
    if exercise.status != ExerciseStatus.SENT or not services.is_accepting(
        exercise.consultation, now
    ):
        return 0
    reminded = 0
    for invite in exercise.invitations:
        member = invite.member
        if invite.response_id is not None or invite.responded_at is not None:
            continue
        if member.status != MemberStatus.ACTIVE or not member.emailable:
            continue
        emails.invitation(session, invite, reminder=True)
        invite.reminders += 1
        invite.last_reminded_at = now
        reminded += 1
    exercise.reminders_sent += 1
    session.flush()
    return reminded


def run_schedule(session: Session, *, now: datetime) -> dict[str, int]:
    """What the worker's tick does: send exercises whose date has come, and reminders due."""
    sent = reminded = 0
    due = session.scalars(
        select(PanelExercise).where(
            PanelExercise.status == ExerciseStatus.PLANNED,
            PanelExercise.send_on.is_not(None),
            PanelExercise.send_on <= now,
        )
    ).all()
    for exercise in due:
        if services.is_accepting(exercise.consultation, now):
            sent += send(session, exercise, now=now)
    for exercise in session.scalars(
        select(PanelExercise).where(PanelExercise.status == ExerciseStatus.SENT)
    ):
        while exercise.reminders_sent < due_reminders(exercise, now):
            before = exercise.reminders_sent
            reminded += remind(session, exercise, now=now)
            if exercise.reminders_sent == before:  # closed: no more reminders
                break
    return {"panel_invited": sent, "panel_reminded": reminded}


def open_invitation(
    session: Session, exercise_id: int, token: str, *, now: datetime
) -> Draft | str:
    """Where a member's link leads: the draft to resume (the web layer turns it into an address),
    or why not ("unknown", "answered", "ended", "closed")."""
    invite = session.scalar(
        select(PanelInvitation).where(PanelInvitation.token_hash == emails.token_hash(token))
    )
    if invite is None or invite.exercise_id != exercise_id:
        return "unknown"
    if invite.response_id is not None or invite.responded_at is not None:
        return "answered"
    if invite.member.status != MemberStatus.ACTIVE:
        return "ended"
    consultation = invite.exercise.consultation
    if not services.is_accepting(consultation, now):
        return "closed"
    draft = drafts.get(session, consultation, invite.draft_token) if invite.draft_token else None
    if invite.draft_token and draft is None:
        stored = services.find_response(session, invite.draft_token)
        if stored is not None:
            record_response(session, invite.draft_token, stored)
            return "answered"
    if draft is None:
        draft = drafts.start(session, consultation, channel=Channel.PANEL, now=now)
        invite.draft_token = draft.token
        session.flush()
    return draft


def record_response(session: Session, token: str, response: Response) -> None:
    """Tie a stored response to the invitation whose draft it came from, if any."""
    invite = session.scalar(select(PanelInvitation).where(PanelInvitation.draft_token == token))
    if invite is not None and invite.response_id is None:
        invite.response_id = response.id
        invite.responded_at = response.submitted_at
        session.flush()


@dataclass(frozen=True)
class PastExercise:
    title: str
    invited_at: datetime | None
    answered: bool
    open_link: str | None  # their own link while they can still answer
    results_link: str | None  # "We asked, you said, we did" once published


def history(session: Session, member: PanelMember) -> list[PastExercise]:
    items = []
    for invite in sorted(member.invitations, key=lambda i: i.id, reverse=True):
        exercise = invite.exercise
        consultation = exercise.consultation
        answered = invite.responded_at is not None
        can_answer = not answered and services.is_accepting(consultation, datetime.now(UTC))
        items.append(
            PastExercise(
                title=exercise.title,
                invited_at=invite.invited_at,
                answered=answered,
                open_link=url_for(
                    "panel.answer",
                    exercise_id=exercise.id,
                    token=emails.invitation_token(exercise.id, member.id),
                )
                if can_answer
                else None,
                results_link=url_for("public.consultation", slug=consultation.slug)
                if has_results(consultation)
                else None,
            )
        )
    return items


@dataclass(frozen=True)
class Rate:
    label: str
    invited: int
    answered: int

    @property
    def percent(self) -> int:
        return percent(self.answered, self.invited)


def rates(exercise: PanelExercise, block: Sequence[Any]) -> dict[str, Any]:
    """Response rates for the whole exercise and by each profile question's groups, live."""
    invites = exercise.invitations
    overall = Rate("All invited", len(invites), sum(1 for i in invites if i.responded_at))
    by_question = []
    for question in block:
        rows = []
        for option in [*question.options, {"value": "", "label": "Not answered"}]:
            group = [
                i for i in invites if (i.member.profile.get(question.key) or "") == option["value"]
            ]
            if group:
                rows.append(
                    Rate(option["label"], len(group), sum(1 for i in group if i.responded_at))
                )
        by_question.append({"key": question.key, "title": question.title, "rows": rows})
    return {"overall": overall, "by_question": by_question}
