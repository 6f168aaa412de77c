"""Encryption of secrets kept in the database (staff's one-time-code keys), with Fernet.

The key comes from ``ENGAGE_ENCRYPTION_KEY`` (one or more Fernet keys separated by commas: the
first encrypts, all decrypt, so a key can be rotated), and otherwise from ``SECRET_KEY`` through
HKDF. The key derived from ``SECRET_KEY`` is always accepted for decrypting, so setting
``ENGAGE_ENCRYPTION_KEY`` later does not lock anyone out.

``EncryptedString`` encrypts on the way into the database and decrypts on the way out, so the
rest of the code reads and writes plain values. The column type holds no key: it asks the current
application for one, or, outside an application context (tests, scripts), the keys of the
applications created in this process (one, in a web or worker process).
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, current_app, has_app_context
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

EXTENSION = "engage.cipher"
_HKDF_INFO = b"engage: secrets at rest, v1"
_HKDF_SALT = b"engage-field-encryption"
_registered: list[bytes] = []  # keys of the applications created in this process, in order

# The secret a development install signs with when none is set; config refuses it in production.
DEV_SECRET_KEY = "engage-development-only-not-secret"  # noqa: S105 - never accepted in production


class DecryptionError(RuntimeError):
    """A stored secret cannot be decrypted with any configured key."""


def derived_key(secret_key: str) -> bytes:
    """A Fernet key derived from ``SECRET_KEY`` (HKDF-SHA256)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


def parse_keys(value: str) -> list[bytes]:
    """The keys of an ``ENGAGE_ENCRYPTION_KEY`` value; ValueError names a malformed one."""
    keys = []
    for number, part in enumerate((p.strip() for p in value.split(",")), start=1):
        if not part:
            continue
        try:
            Fernet(part.encode())
        except ValueError as exc:
            raise ValueError(f"key {number} is not a Fernet key") from exc
        keys.append(part.encode())
    return keys


def keys_for(config: Mapping[str, Any]) -> list[bytes]:
    keys = parse_keys(config.get("ENCRYPTION_KEY") or "")
    fallback = derived_key(str(config["SECRET_KEY"]))
    return [*keys, fallback] if fallback not in keys else keys


def init_app(app: Flask) -> None:
    keys = keys_for(app.config)
    app.extensions[EXTENSION] = MultiFernet([Fernet(k) for k in keys])
    _registered.extend(k for k in keys if k not in _registered)


def from_environment(environ: Mapping[str, str] | None = None) -> MultiFernet:
    """The keys a deployment's environment gives, for migrations run without an application."""
    env = os.environ if environ is None else environ
    config = {
        "ENCRYPTION_KEY": env.get("ENGAGE_ENCRYPTION_KEY", ""),
        "SECRET_KEY": env.get("ENGAGE_SECRET_KEY") or DEV_SECRET_KEY,
    }
    return MultiFernet([Fernet(k) for k in keys_for(config)])


def cipher() -> MultiFernet:
    if has_app_context() and EXTENSION in current_app.extensions:
        own: MultiFernet = current_app.extensions[EXTENSION]
        return own
    if not _registered:
        return from_environment()
    return MultiFernet([Fernet(k) for k in _registered])


def encrypt(value: str, using: MultiFernet | None = None) -> str:
    return (using or cipher()).encrypt(value.encode()).decode()


def decrypt(value: str, using: MultiFernet | None = None) -> str:
    try:
        return (using or cipher()).decrypt(value.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError(
            "A stored secret cannot be decrypted: ENGAGE_ENCRYPTION_KEY (or ENGAGE_SECRET_KEY, "
            "when no encryption key is set) is not the one it was encrypted with. Put the old "
            "key back, after the new one, in ENGAGE_ENCRYPTION_KEY."
        ) from exc


def is_encrypted(value: str, using: MultiFernet | None = None) -> bool:
    try:
        (using or cipher()).decrypt(value.encode())
    except InvalidToken:
        return False
    return True


class EncryptedString(TypeDecorator[str]):
    """A string stored encrypted; Python code sees the plain value."""

    impl = String(255)  # a Fernet token of a 32-character TOTP key is 140 characters
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else decrypt(value)
