"""The demo's Residents' Panel: 150 members across the localities (young people and some
areas under-represented, so the balance page has gaps), an exercise on the open health survey
sent to a stratified sample with answers coming in, one planned for later, a newsletter, and
the closed consultation's "We asked, you said, we did" sent to the panel as a newsletter.

The members, exercise and spring newsletter are made directly in the tables, so they send no
email. The results newsletter goes through the real services (``send_results``), so its emails
wait in the outbox: the demo's worker writes them as .eml files under the instance folder's
``mail/`` (the default ``ENGAGE_MAIL_URL``), to the members' example.org addresses.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engage import newsletters
from engage.panel import emails, exercises
from engage.panel.models import (
    ExerciseStatus,
    MemberStatus,
    PanelInvitation,
    PanelMember,
    PanelNewsletter,
)
from engage.panel.profile import CONSENT_VERSION
from engage.panel.services import term_end
from surveys import services
from surveys.base import utcnow
from surveys.models import Channel, Consultation, ConsultationStatus
from surveys.questions import get_type

FIRST = [
    "Aileen",
    "Callum",
    "Fiona",
    "Hamish",
    "Isla",
    "Jamie",
    "Kirsty",
    "Lewis",
    "Mhairi",
    "Niall",
    "Morag",
    "Ross",
    "Shona",
    "Euan",
    "Ailsa",
    "Fraser",
    "Catriona",
    "Iain",
]
LAST = [
    "Campbell",
    "MacDonald",
    "Stewart",
    "Robertson",
    "Thomson",
    "Anderson",
    "Murray",
    "Reid",
    "Fraser",
    "Ross",
    "Paterson",
    "Kerr",
    "Grant",
    "Gillespie",
]
AGES = ["16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75-plus"]
AGE_WEIGHTS = [2, 8, 14, 18, 22, 24, 12]  # older people join panels more: a gap to show
MEMBERS = 150


def seed(session: Session, localities: list[str]) -> str:
    rng = random.Random(2026)  # noqa: S311 - demo data  # nosec B311
    now = utcnow()
    weights = [6, 5, 4, 3, 3, 1, 1][: len(localities)] or [1]
    members = []
    for n in range(MEMBERS):
        joined = now - timedelta(days=rng.randint(30, 1000))
        first, last = rng.choice(FIRST), rng.choice(LAST)
        profile: dict[str, Any] = {
            "age_band": rng.choices(AGES, AGE_WEIGHTS)[0],
            "sex": rng.choice(["female", "female", "male", "male", "prefer_not"]),
            "disability": rng.choice(["yes", "no", "no", "no"]),
        }
        if localities:
            profile["locality"] = rng.choices(localities, weights)[0]
        member = PanelMember(
            status=MemberStatus.ACTIVE,
            name=f"{first} {last}",
            email=f"{first}.{last}.{n}@example.org".lower(),
            postcode=f"KA{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}"
            f"{rng.choice('LNPQRSTU')}",
            profile=profile,
            consent_version=CONSENT_VERSION,
            consented_at=joined,
            confirmed_at=joined,
            joined_via="paper" if n % 7 == 0 else "online",
            contact_by="post" if n % 7 == 0 else "email",
            address=f"{n + 1} High Street" if n % 7 == 0 else "",
            term_ends_at=term_end(joined, 3),
        )
        if n % 25 == 3:
            member.status, member.left_at = MemberStatus.LEFT, now - timedelta(days=40)
        members.append(member)
    session.add_all(members)
    session.flush()

    survey = session.scalar(
        select(Consultation)
        .where(Consultation.status == ConsultationStatus.OPEN)
        .order_by(Consultation.id)
        .limit(1)
    )
    if survey is None:
        return f"Residents' Panel ({MEMBERS} members)"
    sent = now - timedelta(days=10)
    exercise = exercises.create(
        session,
        survey,
        title=f"Panel: {survey.title}",
        send_on=sent,
        sample_size=100,
        strata=["locality"] if localities else [],
        reminder_days=[7, 21],
        officer_id=None,
    )
    active = [m for m in members if m.status == MemberStatus.ACTIVE]
    chosen = exercises.choose(exercise, active, seed=7)
    question = next(q for q in survey.questions if q.type == "single_choice")
    answered = 0
    for member in chosen:
        invite = PanelInvitation(
            exercise=exercise,
            member=member,
            token_hash=emails.token_hash(emails.invitation_token(exercise.id, member.id)),
            invited_at=sent,
            reminders=1,
            last_reminded_at=sent + timedelta(days=7),
        )
        session.add(invite)
        if rng.random() < 0.55:
            parsed = {
                question.id: get_type(question.type).parse(question, [f"o{rng.randint(1, 3)}"])
            }
            token = f"panel-demo-{exercise.id}-{member.id}"
            response = services.submit_response(
                session,
                survey,
                parsed,
                token=token,
                now=sent + timedelta(days=rng.randint(0, 9)),
                channel=Channel.PANEL,
                keyed_in=True,
            )
            invite.response_id, invite.responded_at = response.id, response.submitted_at
            invite.reminders = 0 if response.submitted_at < sent + timedelta(days=7) else 1
            answered += 1
    exercise.status, exercise.sent_at, exercise.reminders_sent = ExerciseStatus.SENT, sent, 1
    exercises.create(
        session,
        survey,
        title="Panel: autumn check-in",
        send_on=now + timedelta(days=60),
        sample_size=None,
        strata=[],
        reminder_days=[7],
        officer_id=None,
    )
    spring = PanelNewsletter(
        title="Spring newsletter: what the panel told us",
        intro="Thank you to everyone who answered the panel's surveys this winter. "
        "Here is what you said and what the partnership is doing about it.",
        sections=[
            {
                "heading": "Getting to appointments",
                "body": "Many of you told us buses do not match clinic times. NHS Craigmuir "
                "and the council are piloting later clinic hours in Drumlee.",
                "consultation_id": None,
            },
            {
                "heading": "Join us at the next forum",
                "body": "The Local Community Planning Forum meets in May. Everyone is welcome.",
                "consultation_id": None,
            },
        ],
        sent_at=now - timedelta(days=30),
    )
    session.add(spring)
    spring.recipients = len(newsletters.recipients(session, spring))  # as sending counts them
    session.flush()
    return (
        f"Residents' Panel ({MEMBERS} members; an exercise sent to {len(chosen)}, "
        f"{answered} answered)"
    )


def send_results(session: Session, officer_id: int | None) -> str:
    """Each consultation with published results, sent to the panel as an officer would from
    its results page: the newsletter started from the results (with the themes chosen for
    "You said"), then sent to every member who wants newsletters."""
    sent = []
    for consultation in newsletters.with_results(session):
        if newsletters.for_results(session, consultation.id) is not None:
            continue  # seeding twice sends nothing more
        item = newsletters.from_results(session, consultation, officer_id=officer_id)
        count = newsletters.send(session, item, now=utcnow())
        sent.append(f"{consultation.title} sent to {count} panel members")
    return "; ".join(sent) or "no results to send to the panel"
