"""Small builders for test data, bound to the test's rolled-back session."""

from __future__ import annotations

import copy
import itertools
import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from engage.accounts.models import User
from engage.accounts.services import create_user
from surveys import services
from surveys.base import utcnow
from surveys.models import Consultation, ConsultationStatus, Organisation, Response
from surveys.questions import get_type

PASSWORD = "correct horse battery staple"
# Every officer and administrator made here has this authenticator key, so tests can type a code.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(user: Any) -> str:
    """The code an authenticator app would show now, or the next one if now's was used
    (codes work once)."""
    import time

    import pyotp

    totp = pyotp.TOTP(user.totp_secret)
    step = int(time.time() // totp.interval)
    if user.totp_last_step is not None and user.totp_last_step >= step:
        step = user.totp_last_step + 1
    return totp.at(step * totp.interval)


def code_at(offset: int = 0, secret: str = TOTP_SECRET) -> str:
    """The code for this time step plus ``offset`` (the app accepts the next step too)."""
    import time

    import pyotp

    totp = pyotp.TOTP(secret)
    return totp.at((int(time.time() // totp.interval) + offset) * totp.interval)


def sign_in(client: Any, user: Any, password: str = PASSWORD, next_url: str = "") -> Any:
    """Post the sign-in form, then the code page when the person has one; the last response."""
    url = "/sign-in" + (f"?next={next_url}" if next_url else "")
    response = client.post(url, data={"email": user.email, "password": password})
    if response.status_code == 302 and response.headers["Location"].endswith("/sign-in/code"):
        from sqlalchemy import inspect

        owner = inspect(user).session
        if owner is not None:
            owner.refresh(user)  # the app may have used a code since this object was loaded
        response = client.post("/sign-in/code", data={"code": totp_code(user)})
    return response


_session: Session | None = None
_counter = itertools.count(1)


def bind(session: Session) -> None:
    global _session
    _session = session


def session() -> Session:
    assert _session is not None, "use the db fixture"
    return _session


def organisation(code: str | None = None, kind: str = "council") -> Organisation:
    n = next(_counter)
    org = Organisation(code=code or f"org{n}", name=f"Organisation {n}", kind=kind)
    session().add(org)
    session().flush()
    return org


def user(role: str = "officer", organisation_: Organisation | None = None, **kw: Any) -> User:
    n = next(_counter)
    if organisation_ is None and role in ("officer", "jog", "admin"):
        organisation_ = organisation()
    person = create_user(
        session(),
        email=kw.get("email", f"person{n}@example.org"),
        password=kw.get("password", PASSWORD),
        role=role,
        organisation=organisation_,
        name=kw.get("name", f"Person {n}"),
    )
    if person.needs_mfa and kw.get("totp", True):
        person.totp_secret = TOTP_SECRET
        session().flush()
    return person


# The questions of a simple consultation: a required choice, a multiple choice, free text.
SATISFACTION = (
    {
        "type": "single_choice",
        "title": "How satisfied are you?",
        "required": True,
        "options": ["Satisfied", "Neither", "Dissatisfied"],
    },
    {
        "type": "multiple_choice",
        "title": "Which services do you use?",
        "options": ["Buses", "Libraries", "Parks"],
        "settings": {"max_choices": 2},
    },
    {
        "type": "long_text",
        "title": "What would make the biggest difference?",
        "settings": {"max_length": 500},
    },
)
# The same shape about parks, for the browser tests' hub (tests/browser/scenario.py).
PARKS = (
    {
        "type": "single_choice",
        "title": "How often do you go?",
        "required": True,
        "options": ["Every week", "Now and then", "Never"],
    },
    {
        "type": "multiple_choice",
        "title": "What would help most?",
        "hint": "Select all that apply",
        "options": ["Benches", "Toilets", "Lighting"],
        "settings": {"max_choices": 2},
    },
    SATISFACTION[2],
)


def consultation(
    owner: Organisation | None = None,
    *,
    status: str = ConsultationStatus.OPEN,
    questions: bool | Sequence[dict[str, Any]] = True,
    **kw: Any,
) -> Consultation:
    """A consultation owned by ``owner``, open by default, asking ``questions`` (True: the
    SATISFACTION three; False: none). ``title``, ``summary``, ``opens_at`` and ``closes_at``
    may be given."""
    now = utcnow()
    title = kw.get("title", f"Consultation {next(_counter)}")
    opens_at = kw.get("opens_at", now - timedelta(days=1))
    item = services.create_consultation(
        session(),
        title=title,
        summary=kw.get("summary", "What should change in your area?"),
        organisation_id=(owner or organisation()).id,
        opens_at=opens_at,
        closes_at=kw.get("closes_at", now + timedelta(days=30)),
    )
    for spec in SATISFACTION if questions is True else questions or ():
        services.add_question(session(), item, **copy.deepcopy(spec))
    item.status = status
    session().flush()
    return item


def response(item: Consultation, answers: dict[int, Any]) -> Response:
    """Store a response from {question_id: raw form values}, each a list as a form sends it."""
    for value in answers.values():
        # A bare string would be read one letter at a time: "Buses" answers "B".
        assert not isinstance(value, str), f"give form values as a list: [{value!r}]"
    parsed = {
        q.id: get_type(q.type).parse(q, answers[q.id]) for q in item.questions if q.id in answers
    }
    return services.submit_response(
        session(), item, parsed, token=secrets.token_urlsafe(24), now=utcnow()
    )


def partner_staff(session_: Session, password: str) -> Organisation:
    """A council with an officer and the police with a JOG member, committed-data style.

    For tests whose data must be visible to another process (a live server, a worker), so they
    take a session rather than the rolled-back one. Returns the council.
    """
    council = Organisation(code="council", name="Craigmuir Council", kind="council")
    police = Organisation(code="police", name="Police Scotland", kind="police")
    session_.add_all([council, police])
    session_.flush()
    officer = create_user(
        session_,
        email="officer@example.org",
        password=password,
        role="officer",
        organisation=council,
        name="Morag Officer",
    )
    officer.totp_secret = TOTP_SECRET
    create_user(
        session_,
        email="jog@example.org",
        password=password,
        role="jog",
        organisation=police,
        name="Iain Jog",
    )
    return council


def routed_consultation(
    owner: Organisation | None = None, *, equalities: bool = False, **kw: Any
) -> Consultation:
    """Three pages: answering No on page 1 skips page 2; the follow-up on page 3 shows only for
    "Every day". With ``equalities`` the monitoring page follows."""
    kw.setdefault("title", "Buses in Craigmuir")
    kw.setdefault("summary", "Tell us how you get about.")
    item = consultation(owner, questions=False, **kw)
    item.equalities = equalities
    db = session()
    item.pages[0].title = "Getting about"
    uses = services.add_question(
        db,
        item,
        type="single_choice",
        title="Do you use the bus?",
        required=True,
        options=["Yes", "No"],
    )
    journeys = services.add_page(db, item, title="Your bus journeys")
    often = services.add_question(
        db,
        item,
        type="single_choice",
        title="How often do you take the bus?",
        required=True,
        options=["Every day", "Every week", "Less often"],
        page=journeys,
    )
    services.add_question(
        db, item, type="date", title="When did you last take the bus?", page=journeys
    )
    ideas = services.add_page(db, item, title="Your ideas")
    services.add_question(
        db,
        item,
        type="long_text",
        title="What one thing would you change?",
        page=ideas,
        settings={"max_length": 500},
    )
    follow_up = services.add_question(
        db, item, type="short_text", title="Which route do you take every day?", page=ideas
    )
    db.flush()
    uses.routes = {"o2": ideas.id}
    follow_up.show_if = {"question_id": often.id, "values": ["o1"]}
    db.flush()
    return item


def form_started(app: Any, seconds_ago: float = 10) -> dict[str, str]:
    """The signed "form shown at" field of a public form shown ``seconds_ago`` (engage/formguard),
    for tests that turn the minimum time on."""
    from engage.web import formguard

    with app.app_context():
        return {formguard.STARTED: formguard.issue(utcnow() - timedelta(seconds=seconds_ago))}
