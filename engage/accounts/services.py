"""Accounts: creating people, checking passwords. Functions take a Session and never commit."""

from __future__ import annotations

import functools
import string
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engage.accounts.models import STAFF_ROLES, Role, User
from surveys.models import Organisation

_hasher = PasswordHasher()
# Checked against when the email is unknown, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("engage-timing-equaliser")

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256  # long passphrases welcome (ASVS 6.2.9 asks for at least 64)
COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt")


class AccountError(ValueError):
    """The account cannot be created as asked; the message says why in plain English."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@functools.cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def is_common(lowered: str) -> bool:
    """In the list, a listed password with digits or symbols stuck on, or one short part
    repeated ("passwordpassword", "abcabcabcabc")."""
    edges = string.digits + string.punctuation + " "
    core = lowered.strip(edges)
    if lowered in common_passwords() or core in common_passwords() or len(set(core)) < 4:
        return True
    return any(
        len(lowered) % size == 0 and lowered == lowered[:size] * (len(lowered) // size)
        for size in range(1, len(lowered) // 2 + 1)
    )


def check_password_rules(password: str, email: str = "") -> None:
    """Length and a list of common passwords; no rules about kinds of character (ASVS 6.2.5)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"The password must be {MAX_PASSWORD_LENGTH} characters or fewer")
    if is_common(password.lower()):
        raise AccountError("That password is too common: choose a longer phrase that is your own")
    lowered = password.lower()
    local = normalise_email(email).split("@")[0]
    if len(local) >= 4 and local in lowered:
        raise AccountError("The password must not contain your email address")


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Set a new password and sign the person out everywhere else (the caller signs this
    browser in again)."""
    try:
        _hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise AccountError("Your current password is not right") from None
    check_password_rules(new, user.email)
    user.password_hash = hash_password(new)
    user.session_version += 1
    session.flush()


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def find_organisation(session: Session, code_or_name: str) -> Organisation | None:
    wanted = code_or_name.strip().lower()
    return session.scalar(
        select(Organisation).where(
            (func.lower(Organisation.code) == wanted) | (func.lower(Organisation.name) == wanted)
        )
    )


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: str,
    organisation: Organisation | None,
    name: str = "",
) -> User:
    email = normalise_email(email)
    if "@" not in email:
        raise AccountError("Enter an email address in the correct format, like name@example.org")
    try:
        role = Role(role)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise AccountError(f"Unknown role {role!r}: choose one of {choices}") from None
    if role in STAFF_ROLES and organisation is None:
        raise AccountError("Partner staff must belong to a partner organisation")
    if find_user(session, email) is not None:
        raise AccountError(f"An account for {email} already exists")
    check_password_rules(password, email)
    user = User(
        email=email,
        name=name,
        role=role,
        organisation=organisation,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None; same work either way."""
    user = find_user(session, email)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user
