"""The Residents' Panel end to end: pages over HTTP, a real Celery worker sending the outbox
through a real local SMTP server (aiosmtpd), and the tests reading what arrived.

Sign-up → confirmation email → confirm → invitation → response through the unique link →
reminder to the member who has not answered only; the link cannot answer twice; an address the
server refuses for good is marked bounced; every email has plain-text and HTML parts.
"""

from __future__ import annotations

import re
import socket
import time
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from engage.db import get_session
from engage.panel.models import MemberStatus, PanelMember
from surveys import services
from surveys.base import utcnow
from surveys.models import ConsultationStatus, Organisation
from tests import factories
from tests.worker.test_integration import PASSWORD, live, login, worker  # noqa: F401 - fixtures

pytestmark = pytest.mark.integration
REFUSED = "refused@example.org"


class Inbox:
    """What the SMTP server received; refuses one address with a permanent 550."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address == REFUSED:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def wait(self, address: str, count: int, timeout: float = 60) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.to(address)) >= count:
                return self.to(address)
            time.sleep(0.2)
        raise AssertionError(f"{address} got {len(self.to(address))} emails, not {count}")


@pytest.fixture
def smtp(monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    # The worker process reads these when it starts (the fixture order puts this first).
    monkeypatch.setenv("ENGAGE_MAIL_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("ENGAGE_BASE_URL", "http://panel.test")
    monkeypatch.setenv("ENGAGE_LOCALITIES", "North,South")
    yield inbox
    controller.stop()


def text_and_link(message: EmailMessage, pattern: str) -> tuple[str, str]:
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "<p>" in html
    match = re.search(rf"https?://[^/\s]+(\S*{pattern}\S*)", plain)
    assert match, plain
    return plain, match.group(1)


def test_sign_up_to_reminder_through_the_worker_and_smtp(smtp, live, worker):  # noqa: F811
    live.config["LOCALITIES"] = ["North", "South"]
    with live.app_context():
        session = get_session()
        council = factories.partner_staff(session, PASSWORD)
        survey = services.create_consultation(
            session,
            title="Town centre",
            summary="What should change in the town centre?",
            organisation_id=council.id,
            opens_at=utcnow() - timedelta(days=1),
            closes_at=utcnow() + timedelta(days=30),
        )
        services.add_question(
            session, survey, type="single_choice", title="Do you visit?", options=["Yes", "No"]
        )
        survey.status = ConsultationStatus.OPEN
        session.commit()
        survey_id = survey.id
        assert session.scalar(select(Organisation.id).limit(1))

    resident = live.test_client()
    profile = {"eq-age_band": "25-34", "eq-locality": "North", "consent": "yes"}
    joined = resident.post(
        "/panel/join",
        data={"name": "Ali Resident", "email": "ali@example.org", "contact_by": "email", **profile},
    )
    assert joined.status_code == 303
    other = live.test_client()
    other.post(
        "/panel/join",
        data={"name": "Bo Resident", "email": "bo@example.org", "contact_by": "email", **profile},
    )
    live.test_client().post(
        "/panel/join",
        data={"name": "Cy Gone", "email": REFUSED, "contact_by": "email", **profile},
    )

    (confirmation,) = smtp.wait("ali@example.org", 1)
    assert confirmation["Subject"] == "Confirm that you want to join the Residents' Panel"
    _, confirm = text_and_link(confirmation, "/panel/confirm/")
    assert "You have joined" in resident.post(confirm).get_data(as_text=True)
    _, confirm_bo = text_and_link(smtp.wait("bo@example.org", 1)[0], "/panel/confirm/")
    other.post(confirm_bo)

    officer = live.test_client()
    login(officer, "officer@example.org")
    created = officer.post(
        "/manage/panel/exercises/new",
        data={"consultation": str(survey_id), "audience": "whole", "reminders": "7"},
    )
    exercise_url = created.headers["Location"]
    assert officer.post(f"{exercise_url}/send").status_code == 303

    invitation = smtp.wait("ali@example.org", 2)[1]
    assert invitation["List-Unsubscribe"].strip().startswith("<http://localhost/panel/unsubscribe/")
    assert invitation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    _, link = text_and_link(invitation, "/answer/")
    smtp.wait("bo@example.org", 2)

    opened = resident.get(link)
    assert opened.status_code == 303
    base = opened.headers["Location"].rsplit("/", 1)[0]
    page = resident.get(opened.headers["Location"]).get_data(as_text=True)
    field = re.search(r'name="(q\d+)"', page).group(1)
    resident.post(f"{base}/1", data={field: "o1"})
    assert resident.post(f"{base}/submit").status_code == 303
    again = resident.get(link)
    assert again.status_code == 410  # the link answers once

    assert "1 of 2" in officer.get(exercise_url).get_data(as_text=True)
    officer.post(f"{exercise_url}/remind")
    reminder = smtp.wait("bo@example.org", 3)[2]
    assert reminder["Subject"] == "Reminder: Town centre"
    time.sleep(2)  # give a wrong reminder time to arrive
    assert len(smtp.to("ali@example.org")) == 2  # confirmation and invitation: no reminder

    with live.app_context():
        gone = get_session().scalar(select(PanelMember).where(PanelMember.email == REFUSED))
        assert gone.bounced_at is not None  # the server's 550 marked it
        assert gone.status == MemberStatus.PENDING
    assert smtp.to(REFUSED) == []
