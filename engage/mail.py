"""Email through an outbox: a row is written in the same transaction as the change that causes it,
and a Celery task sends it, so no page ever waits on, or fails because of, a mail server.

``ENGAGE_MAIL_URL`` chooses the transport: ``smtp://user:password@host:port`` (``smtps://`` for TLS
on connect, ``?starttls=1`` to upgrade), or ``file`` (the default) which writes each message as an
``.eml`` file under the instance folder's ``mail/`` for development and the demo.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engage import outbox
from surveys.base import Base, utcnow

MAX_ATTEMPTS = 5
log = logging.getLogger(__name__)


class OutboxEmail(Base):
    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)  # an HTML alternative to the plain text
    # Extra headers, e.g. List-Unsubscribe: {"List-Unsubscribe": "<https://...>"}.
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Files sent with it: [{"filename", "content_type", "data" (base64)}], e.g. a calendar file.
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


def queue_email(
    session: Session,
    *,
    to: str,
    subject: str,
    body: str,
    html: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
) -> OutboxEmail:
    """Add a message to the outbox; it is sent after the caller commits.

    ``attachments`` are (filename, content type, bytes), e.g. an event's calendar file.
    """
    files = [
        {"filename": name, "content_type": kind, "data": base64.b64encode(data).decode()}
        for name, kind, data in attachments or []
    ]
    email = OutboxEmail(
        to=to, subject=subject, body=body, html=html, headers=dict(headers or {}), attachments=files
    )
    session.add(email)
    session.flush()
    return email


def build_message(email: OutboxEmail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    for name, value in (email.headers or {}).items():
        message[name] = value
    message.set_content(email.body)
    if email.html:
        message.add_alternative(email.html, subtype="html")
    for item in email.attachments or []:
        kind, *extra = [part.strip() for part in item["content_type"].split(";")]
        maintype, _, subtype = kind.partition("/")
        message.add_attachment(
            base64.b64decode(item["data"]),
            maintype=maintype,
            subtype=subtype,
            filename=item["filename"],
            params=dict(p.split("=", 1) for p in extra if "=" in p),
        )
    return message


def is_permanent(exc: Exception) -> bool:
    """A 5xx answer from the mail server about the recipient: the address will never work."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return False


def deliver(message: EmailMessage, mail_url: str, instance_path: str) -> None:
    """Hand one message to the transport named by ``ENGAGE_MAIL_URL``."""
    if mail_url in ("", "file"):
        folder = Path(instance_path) / "mail"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
        (folder / name).write_bytes(bytes(message))
        return
    url = urlsplit(mail_url)
    if url.scheme not in ("smtp", "smtps"):
        raise ValueError(f"unknown mail transport {url.scheme!r}")
    smtp_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    with smtp_class(url.hostname or "localhost", url.port or 0, timeout=30) as smtp:
        if "starttls=1" in (url.query or ""):
            smtp.starttls()
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        smtp.send_message(message)


def send_pending(
    session: Session,
    *,
    mail_url: str,
    sender: str,
    instance_path: str,
    on_bounce: Callable[[Session, str], None] | None = None,
) -> int:
    """Send what the outbox holds, one commit per message, so a failure never resends the rest.

    A permanent refusal of the recipient (an SMTP 5xx) is not retried; ``on_bounce`` is told the
    address in the same transaction, so the Residents' Panel can stop writing to it.
    """
    sent = 0
    pending = session.scalars(
        select(OutboxEmail)
        .where(OutboxEmail.sent_at.is_(None), OutboxEmail.attempts < MAX_ATTEMPTS)
        .order_by(OutboxEmail.id)
        .limit(100)
    ).all()
    for email in pending:
        email.attempts += 1
        try:
            deliver(build_message(email, sender), mail_url, instance_path)
        except Exception as exc:  # noqa: BLE001 - one bad message must not hold up the rest
            email.last_error = str(exc)[:500]
            if is_permanent(exc):
                email.attempts = MAX_ATTEMPTS
                if on_bounce is not None:
                    on_bounce(session, email.to)
            if email.attempts >= MAX_ATTEMPTS:
                forget(email)  # given up: keep no address and no link
        else:
            email.sent_at = utcnow()
            forget(email)  # the address was needed to send, and is not kept after
            sent += 1
        session.commit()
    return sent


def forget(email: OutboxEmail) -> None:
    email.to, email.body, email.html, email.headers = "", "", None, {}
    email.attachments = []


SEND_MAIL_TASK = "worker.tasks.send_mail"


def nudge_sender(session: Session) -> None:
    """Ask a worker to send the email outbox soon, without touching the broker here.

    A task-outbox row, committed by the caller (with the emails, ideally); the dispatcher
    publishes it within ``ENGAGE_DISPATCH_SECONDS``, and the tick sends the emails anyway if
    Redis is away for longer, so a page that queues an email never waits on Redis.
    """

    outbox.enqueue(session, SEND_MAIL_TASK, [], key=f"nudge:{uuid.uuid4().hex}")
