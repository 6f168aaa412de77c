"""One-time codes (RFC 6238) and single-use recovery codes. Functions take a User, never commit."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp

from engage.accounts.models import User

ISSUER = "Engage"
RECOVERY_CODE_COUNT = 10


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def _hash(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def normalise(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def code_matches(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step the code belongs to (this one or either neighbour, for clock drift)."""
    code = normalise(code)
    if len(code) != 6 or not (code.isascii() and code.isdigit()):  # "١٢٣٤٥٦" is isdigit() too
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if at is None else at
    step = int(now // totp.interval)
    for candidate in (step, step - 1, step + 1):
        if hmac.compare_digest(totp.at(candidate * totp.interval), code):
            return candidate
    return None


def verify(user: User, code: str, at: float | None = None) -> bool:
    """A current one-time code not used before, or an unused recovery code (then spent)."""
    if user.totp_secret:
        step = code_matches(user.totp_secret, code, at)
        if step is not None:
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False  # replayed
            user.totp_last_step = step
            return True
    wanted = _hash(code)
    for stored in user.recovery_codes or []:
        if hmac.compare_digest(stored.encode(), wanted.encode()):
            user.recovery_codes = [c for c in user.recovery_codes if c != stored]
            return True
    return False


def enrol(user: User, secret: str, code: str, at: float | None = None) -> list[str] | None:
    """Keep the secret once a code from it is typed; returns the new recovery codes (shown once)."""
    step = code_matches(secret, code, at)
    if step is None:
        return None
    user.totp_secret = secret
    user.totp_last_step = step
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    user.recovery_codes = [_hash(code) for code in codes]
    return codes
