"""Email through an outbox: a row is written in the same transaction as the change that causes it,
and a Celery task sends it, so no page ever waits on, or fails because of, a mail server.

``ENGAGE_MAIL_URL`` chooses the transport: ``smtp://user:password@host:port`` (``smtps://`` for TLS
on connect, ``?starttls=1`` to upgrade), or ``file`` (the default) which writes each message as an
``.eml`` file under the instance folder's ``mail/`` for development and the demo.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from surveys.base import Base, utcnow


class OutboxEmail(Base):
    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
