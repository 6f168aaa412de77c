"""Demo events: a Local Community Planning Forum nearly full with a waiting list, a past
seminar with its register, outcomes and a feedback survey answered by some who came, and a
partner-only JOG development session with nominations within allocations, and a workshop
cancelled after people signed up.

Made in the tables, so seeding sends no email.
"""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.accounts.models import User
from engage.dates import UK
from engage.events import attendance, emails, nominations, services
from engage.events.models import SignupStatus
from surveys import services as surveys
from surveys.base import utcnow
from surveys.models import Channel, ConsultationStatus, Organisation
from surveys.questions import get_type

FIRST = ["Aileen", "Callum", "Morag", "Iain", "Fiona", "Ewan", "Kirsty", "Hamish", "Isla", "Rory"]
LAST = ["Campbell", "MacLeod", "Stewart", "Fraser", "Murray", "Reid", "Ross", "Grant"]
NEEDS = [[], [], ["step_free"], ["hearing_loop"], [], ["large_print"], ["dietary"], [], ["carer"]]


def at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day.astimezone(UK).date(), time(hour, minute), tzinfo=UK)


def person(n: int, localities: list[str]) -> services.Details:
    name = f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]}"
    needs = NEEDS[n % len(NEEDS)]
    return services.Details(
        name=name,
        email=f"{name.lower().replace(' ', '.')}.{n}@example.org",
        locality=localities[n % len(localities)] if localities else "",
        needs=needs,
        needs_detail="Vegetarian" if "dietary" in needs else "",
        organisation_name="Drumlee Community Council" if n % 5 == 0 else "",
    )


def seed(session: Session, localities: list[str]) -> str:
    orgs = {o.code: o for o in session.scalars(select(Organisation))}
    officer = session.scalar(select(User).where(User.email == "officer@craigmuir.example.org"))
    jog = session.scalar(select(User).where(User.email == "jog@craigmuir.example.org"))
    now = utcnow()
    council = orgs["council"].id
    area = localities[1] if len(localities) > 1 else ""

    forum_day = now + timedelta(days=12)
    forum = services.create_event(
        session,
        {
            "kind": "forum",
            "title": f"{area or 'Craigmuir'} Local Community Planning Forum",
            "description": "Meet the partners who plan services in your area, hear what the "
            "last consultation found, and tell us what should come next.\n\nEveryone is "
            "welcome. Tea, coffee and soup are provided.",
            "agenda": "Welcome and introductions\nWhat you told us: getting to health "
            "appointments\nYour priorities for the year ahead\nQuestions to the partners",
            "locality": area,
            "venue": "Drumlee Community Centre, 4 Mill Road, Drumlee",
            "access_info": "Step-free entrance from the car park. Accessible toilet. Hearing "
            "loop in the main hall. Bus 23 stops outside.",
            "starts_at": at(forum_day, 18, 30),
            "ends_at": at(forum_day, 20, 30),
            "audience": "public",
            "capacity": 30,
            "reminder_hours": 48,
        },
        organisation_id=council,
        officer_id=officer.id if officer else None,
    )
    # 33 ask for 30 places; two cancel and the first two waiting move up: full, one waiting.
    for n in range(33):
        services.sign_up(session, forum, person(n, localities), now=now - timedelta(hours=40 - n))
    for signup in forum.signups[:2]:
        services.cancel(session, signup, now=now - timedelta(hours=2))
    past_day = now - timedelta(days=20)
    seminar = services.create_event(
        session,
        {
            "kind": "seminar",
            "title": "Elected Members' and Chief Officers' seminar: the new LOIP",
            "description": "A seminar for elected members, chief officers and community "
            "representatives on the draft Local Outcomes Improvement Plan.",
            "agenda": "The evidence\nThe draft priorities\nTable discussions\nNext steps",
            "venue": "Craigmuir Council Chambers, High Street, Craigmuir",
            "access_info": "Lift to the first floor. Hearing loop. Accessible parking.",
            "starts_at": at(past_day, 10),
            "ends_at": at(past_day, 13),
            "audience": "public",
            "capacity": 40,
            "reminder_hours": 48,
        },
        organisation_id=council,
        officer_id=officer.id if officer else None,
    )
    people = [
        services.sign_up(
            session, seminar, person(n + 50, localities), now=past_day - timedelta(days=9)
        )
        for n in range(24)
    ]
    for n, signup in enumerate(people):
        signup.reminded_at = past_day - timedelta(days=2)
        if n % 6 != 5:  # 20 of 24 came
            attendance.check_in(
                signup, now=at(past_day, 9, 50), how="code" if n % 2 else "register"
            )
    attendance.publish_outcomes(
        seminar,
        "The seminar agreed the three strategic priorities for the new LOIP: getting about, "
        "health and wellbeing, and safer communities.\n\nTable discussions asked for more "
        "evening buses and for health services closer to home. Officers will bring a revised "
        "draft to the CPP Board in the spring.",
        now=past_day + timedelta(days=2),
    )
    survey = attendance.create_feedback_survey(
        session, seminar, officer_id=officer.id if officer else None, now=past_day
    )
    survey.status = ConsultationStatus.OPEN
    survey.opens_at = past_day + timedelta(days=1)
    survey.closes_at = now + timedelta(days=5)
    attendance.send_feedback(session, seminar, now=past_day + timedelta(days=1))
    useful = survey.questions[0]
    for n, signup in enumerate(attendance.attendees(seminar)[:12]):
        token = secrets.token_urlsafe(24)
        answer = get_type(useful.type).parse(useful, [f"o{n % 3 + 1}"])
        surveys.submit_response(
            session,
            survey,
            {useful.id: answer},
            token=token,
            now=past_day + timedelta(days=2),
            channel=Channel.EVENT,  # as the feedback link opens it (attendance.open_feedback)
        )
        signup.feedback_draft_token = token

    session_day = now + timedelta(days=26)
    development = services.create_event(
        session,
        {
            "kind": "development",
            "title": "JOG development session: using the Residents' Panel",
            "description": "For partner staff who plan engagement: how to send a panel "
            "exercise, read response rates and report back.",
            "venue": "Craigmuir College, Room B12, College Way",
            "access_info": "Step-free throughout. Hearing loop in B12.",
            "online_link": "https://meet.example.org/jog-development",
            "starts_at": at(session_day, 14),
            "ends_at": at(session_day, 16),
            "audience": "partners",
            "capacity": 20,
            "reminder_hours": 24,
        },
        organisation_id=council,
        officer_id=officer.id if officer else None,
    )
    nominations.set_allocations(
        session, development, {orgs[code].id: 4 for code in ("council", "nhs_board", "police")}
    )
    staff = [
        ("Sergeant Alan Kerr", "police"),
        ("PC Lorna Bell", "police"),
        ("Dr Anna Reid", "nhs_board"),
        ("Jo Murray", "council"),
    ]
    for n, (name, code) in enumerate(staff):
        nominations.nominate(
            session,
            development,
            services.Details(name=name, email=f"staff{n}@craigmuir.example.org"),
            organisation_id=orgs[code].id,
            organisation_name=orgs[code].name,
            nominated_by_id=jog.id if jog else 0,
            now=now - timedelta(days=1),
        )
    workshop_day = now + timedelta(days=8)
    workshop = services.create_event(
        session,
        {
            "kind": "workshop",
            "title": "Harbour path workshop",
            "description": "Help plan the new path along the harbour front.",
            "venue": "Portnahaven Harbour Hall, Quay Street",
            "starts_at": at(workshop_day, 18),
            "ends_at": at(workshop_day, 20),
            "audience": "public",
            "capacity": 15,
        },
        organisation_id=council,
        officer_id=officer.id if officer else None,
    )
    for n in range(6):
        services.sign_up(
            session, workshop, person(n + 100, localities), now=now - timedelta(days=3)
        )
    told = services.cancel_event(
        session,
        workshop,
        "The harbour hall is closed for repairs after the storm. We will arrange a new date "
        "and email everyone who signed up.",
        now=now - timedelta(days=1),
    )
    for signed_up in told or []:  # as the officer's cancel page does
        emails.event_cancelled(session, signed_up)
    emails.nominators_told(session, told or [])
    waiting = sum(1 for s in forum.signups if s.status == SignupStatus.WAITING)
    return (
        f"4 events (a forum with {len(forum.confirmed)} of 30 places taken and {waiting} "
        f"waiting, a past seminar with {len(attendance.attendees(seminar))} attended, a JOG "
        "development session with nominations, a cancelled workshop)"
    )
