"""What the browser tests find on the live server: partners, staff, consultations, themes."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from functools import partial

from analysis.results import analyse_answers
from analysis.types import ThemeParams
from engage.curation.runs import request_analysis
from engage.db import get_session
from engage.findings import services as findings
from surveys import services
from surveys.base import utcnow
from surveys.models import ConsultationStatus, Organisation
from surveys.options import option_list
from surveys.questions import get_type
from tests import factories
from tests.worker.corpus import ANSWERS

PASSWORD = "browser test password"
OFFICER = "officer@example.org"
JOG = "jog@example.org"
OPEN_SLUG = "parks-and-play-areas"


def build() -> None:
    session = get_session()
    council = factories.partner_staff(session, PASSWORD)
    now = utcnow()
    open_one = consultation(session, council.id, "Parks and play areas", now)
    open_one.status = ConsultationStatus.OPEN

    every_type(session, council.id, now)
    routed(session, council.id, now)
    forty_questions(session, council.id, now)

    closed = consultation(session, council.id, "Getting about Craigmuir", now - timedelta(days=40))
    closed.status = ConsultationStatus.OPEN
    q1, _q2, q3 = closed.questions
    for n, text in enumerate(ANSWERS):
        answers = {
            q1.id: get_type(q1.type).parse(q1, [f"o{n % 3 + 1}"]),
            q3.id: get_type(q3.type).parse(q3, [text]),
        }
        services.submit_response(
            session, closed, answers, token=secrets.token_urlsafe(24), now=now - timedelta(days=20)
        )
    closed.status = ConsultationStatus.CLOSED
    run = request_analysis(session, closed, trigger="closing")
    session.flush()
    store_real_themes(session, run.id, q3.id)
    findings.finish_run(session, run.id)
    session.commit()


def consultation(session, organisation_id: int, title: str, opens_at):
    """The PARKS questions under ``title``, opening at ``opens_at`` (tests/factories.py)."""
    factories.bind(session)
    return factories.consultation(
        session.get(Organisation, organisation_id),
        status=ConsultationStatus.DRAFT,
        questions=factories.PARKS,
        title=title,
        summary=f"Tell us what you think about {title.lower()}.",
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=30),
    )


ALL_TYPES_SLUG = "every-kind-of-question"


def every_type(session, organisation_id: int, now) -> None:
    """One open consultation with a question of every type."""
    item = services.create_consultation(
        session,
        title="Every kind of question",
        summary="A survey using each question type.",
        organisation_id=organisation_id,
        opens_at=now,
        closes_at=now + timedelta(days=30),
    )
    add = partial(services.add_question, session, item)
    add(
        type="information",
        title="About your area",
        hint="These questions are about where you live.",
    )
    add(
        type="single_choice",
        title="How do you usually travel?",
        required=True,
        options=["Bus", "Car", "Walking"],
        settings={"allow_other": True},
    )
    add(
        type="single_choice",
        title="Which day suits you best?",
        options=["Monday", "Tuesday"],
        settings={"display": "dropdown"},
    )
    add(
        type="multiple_choice",
        title="Which services do you use?",
        options=["Library", "Gym"],
        settings={"allow_other": True, "max_choices": 2},
    )
    add(type="rating_scale", title="The park is well kept", required=True)
    add(
        type="matrix",
        title="How good are these?",
        options=["Good", "Poor"],
        required=True,
        settings={"rows": option_list(["Buses", "Roads"], prefix="r")},
    )
    add(type="ranking", title="Rank these priorities", options=["Jobs", "Housing", "Health"])
    add(type="short_text", title="Your street name")
    add(type="long_text", title="Anything else?", settings={"max_length": 300})
    add(
        type="number",
        title="How many people live in your home?",
        required=True,
        settings={"min_value": 1, "max_value": 20},
    )
    add(type="date", title="When did you move here?", required=True)
    add(type="email", title="Email, if you want a reply")
    add(
        type="locality",
        title="Where do you live?",
        required=True,
        options=["Drumlee", "Kirkhallie"],
        settings={"postcodes": {"KA1": "Drumlee"}},
    )
    add(type="consent", title="Can we use your answers in our report?", required=True)
    item.status = ConsultationStatus.OPEN


def store_real_themes(session, run_id: int, question_id: int) -> None:
    """The analysis the worker would store, computed here so the browser test needs no broker."""
    answers = [(str(i), t) for i, t in services.free_text_answers(session, question_id)]
    params = ThemeParams(question_text="What would make the biggest difference?")
    found = analyse_answers(answers, params)
    findings.store_analysis(session, run_id, question_id, len(answers), found)


ROUTED_SLUG = "buses-in-craigmuir"


def routed(session, organisation_id: int, now) -> None:
    """Three pages with a route and a condition, then the equalities page."""
    factories.bind(session)
    factories.routed_consultation(
        session.get(Organisation, organisation_id),
        equalities=True,
        opens_at=now,
        closes_at=now + timedelta(days=30),
    )


FORTY_SLUG = "forty-questions"
FORTY_TYPES = ("single_choice", "multiple_choice", "rating_scale", "short_text", "long_text")


def forty_questions(session, organisation_id: int, now) -> None:
    """A long survey: eight pages of five questions."""
    item = services.create_consultation(
        session,
        title="Forty questions",
        summary="A long survey.",
        organisation_id=organisation_id,
        opens_at=now,
        closes_at=now + timedelta(days=30),
    )
    for page_number in range(1, 9):
        page = item.pages[0] if page_number == 1 else services.add_page(session, item)
        page.title = f"Part {page_number}"
        for n, kind in enumerate(FORTY_TYPES, start=1):
            services.add_question(
                session,
                item,
                type=kind,
                title=f"Part {page_number}, question {n}",
                required=kind != "long_text",
                page=page,
                options=["First", "Second", "Third"] if kind in FORTY_TYPES[:2] else (),
            )
    item.status = ConsultationStatus.OPEN


# Set by the browser fixtures to a function that clears every account's last used code step.
forget_used_codes = None


def type_code(page) -> None:
    """The one-time code page after an officer's password: this step's code, or the next one
    if an earlier sign-in in the same 30 seconds used it (a code works once). When both are
    used (a third sign-in of the same person within 30 seconds), a person would wait for the
    next step; the suite's live server forgets the used codes instead (``forget_used_codes``)."""
    if "/sign-in/code" not in page.url:
        return
    for offset in (0, 1, "wait"):
        if offset == "wait":
            if forget_used_codes is not None:
                # The suite's shortcut past the 30-second wait: the live database forgets which
                # codes were used (refusing a used code is tested in test_sessions_and_mfa).
                forget_used_codes()
                offset = 0
            else:
                interval = 30
                time.sleep(interval - time.time() % interval + 0.5)
                offset = 1
        page.fill("#code", factories.code_at(offset))
        with page.expect_navigation():
            page.click("button:has-text('Continue')")
        if "/sign-in/code" not in page.url:
            return
    raise AssertionError("the one-time code was refused")
