"""People who sign in: residents, panel members and partner staff."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.crypto import EncryptedString
from surveys.base import Base, Timestamped, UTCDateTime
from surveys.models import Organisation


class Role(enum.StrEnum):
    RESIDENT = "resident"
    PANEL_MEMBER = "panel_member"
    OFFICER = "officer"
    JOG = "jog"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.RESIDENT: "Resident",
    Role.PANEL_MEMBER: "Residents' Panel member",
    Role.OFFICER: "Engagement officer",
    Role.JOG: "Joint Officers' Group member",
    Role.ADMIN: "Administrator",
}

# Partner staff act for an organisation, so they must belong to one.
STAFF_ROLES = frozenset({Role.OFFICER, Role.JOG, Role.ADMIN})
# Who must sign in with a one-time code as well as a password.
MFA_ROLES = frozenset({Role.OFFICER, Role.ADMIN})


class LoginThrottle(Base):
    """Failed sign-ins for one email address (known or not, so the lock-out tells nothing)."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the address
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))


class User(Timestamped, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the login cookie: raising it signs the person out everywhere.
    session_version: Mapped[int] = mapped_column(default=1)
    # Time-based one-time codes (officers and administrators must have them).
    # Encrypted in the database (engage.crypto); the attribute holds the plain key.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedString())
    totp_last_step: Mapped[int | None]  # the last code's time step: a code works once
    recovery_codes: Mapped[list[Any]] = mapped_column(JSON, default=list)  # SHA-256 hashes

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    # Flask-Login's interface, written out so the model needs no Flask import.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def has_role(self, *roles: str) -> bool:
        return self.role == Role.ADMIN or self.role in roles

    @property
    def needs_mfa(self) -> bool:
        return self.role in MFA_ROLES

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(Role(self.role), self.role)
