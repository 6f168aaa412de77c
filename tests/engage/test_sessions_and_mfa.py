"""Sessions and authentication (issue 8, items 2 and 3): revocation, fixation, timeouts, cookie
flags, password rules, one-time codes with recovery codes, lock-out, no account enumeration."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from engage.accounts import mfa, throttle
from engage.accounts.services import (
    AccountError,
    change_password,
    check_password_rules,
)
from engage.app import create_app
from engage.audit.models import AuditEvent
from engage.staff import disable_user
from tests import factories
from tests.conftest import app_config


def captured(app, client):
    """A second browser holding a copy of this one's cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_password_change_revokes_other_sessions_but_keeps_this_one(app, client, auth, db):
    officer = factories.user("officer")
    auth.login(officer)
    thief = captured(app, client)
    assert thief.get("/manage/").status_code == 200
    response = client.post(
        "/account/password",
        data={"current": factories.PASSWORD, "new": "a brand new long passphrase"},
    )
    assert response.status_code == 302
    assert thief.get("/manage/").status_code == 302  # the copied cookie is dead
    assert client.get("/manage/").status_code == 200  # this browser is signed in again


def test_password_change_needs_the_current_password(db):
    officer = factories.user("officer")
    with pytest.raises(AccountError, match="current password"):
        change_password(db, officer, "wrong wrong wrong", "a brand new long passphrase")


def test_disabling_an_account_revokes_its_sessions(app, client, auth, db):
    officer = factories.user("officer")
    auth.login(officer)
    thief = captured(app, client)
    disable_user(db, officer)
    assert thief.get("/manage/").status_code == 302
    assert client.get("/manage/").status_code == 302


def test_sign_in_starts_a_new_session(app, client, db):
    officer = factories.user("officer")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    before = client.get_cookie("session").value
    factories.sign_in(client, officer)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(f"{officer.id}:")
    assert client.get_cookie("session").value != before


@pytest.mark.parametrize(
    ("key", "age"),
    [("seen_at", 61 * 60), ("signed_in_at", 13 * 3600)],
    ids=["idle", "absolute"],
)
def test_staff_sessions_time_out(client, auth, db, key, age):
    auth.login(factories.user("officer"))
    assert client.get("/manage/").status_code == 200
    with client.session_transaction() as session:
        session[key] = int(time.time()) - age
    response = client.get("/manage/")
    assert response.status_code == 302
    assert "/sign-in?next=/manage/" in response.headers["Location"]
    assert client.get("/manage/").status_code == 302  # signed out, not just redirected once


def test_a_busy_officer_stays_signed_in(client, auth, db):
    auth.login(factories.user("officer"))
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 59 * 60
    assert client.get("/manage/").status_code == 200


def test_cookie_flags(tmp_path, database_url):
    app = create_app(
        {**app_config(tmp_path, database_url, None), "ENV": "production", "TESTING": False}
    )
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is True
        assert app.config["SESSION_COOKIE_HTTPONLY"] is True
        assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
        assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    finally:
        app.extensions["engine"].dispose()


def test_set_cookie_header_is_httponly_and_lax(client, db):
    client.get("/sign-in")
    factories.sign_in(client, factories.user("jog"))
    header = client.get("/findings/").headers.get("Set-Cookie") or ""
    response = factories.sign_in(client, factories.user("jog"))
    header = response.headers.get("Set-Cookie", header)
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header


# --- password rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "short",
        "passwordpassword",
        "aaaaaaaaaaaaaaaa",
        "1234567890123",
        "password1234!",
        "iloveyou12345",
    ],
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(AccountError):
        check_password_rules(password)


@pytest.mark.parametrize(
    "password",
    ["correct horse battery staple", "all lowercase no digits at all", "x" * 3 + "yzw" * 40],
)
def test_long_passwords_of_any_kind_are_accepted(password):
    check_password_rules(password)  # no composition rules


def test_password_must_not_hold_the_email_address():
    with pytest.raises(AccountError, match="email"):
        check_password_rules("morag.lindsay was here", "morag.lindsay@example.org")


# --- one-time codes -------------------------------------------------------------------------


def test_officer_needs_a_code_after_the_password(client, db):
    officer = factories.user("officer")
    response = client.post(
        "/sign-in", data={"email": officer.email, "password": factories.PASSWORD}
    )
    assert response.headers["Location"] == "/sign-in/code"
    assert client.get("/manage/").status_code == 302  # not signed in yet
    assert client.post("/sign-in/code", data={"code": "000000"}).status_code == 400
    assert client.get("/manage/").status_code == 302
    good = client.post("/sign-in/code", data={"code": factories.totp_code(officer)})
    assert good.headers["Location"] == "/manage/"
    assert client.get("/manage/").status_code == 200


def test_a_code_works_once(db):
    officer = factories.user("officer")
    now = time.time()
    code = pyotp.TOTP(officer.totp_secret).at(now)
    assert mfa.verify(officer, code, at=now)
    assert not mfa.verify(officer, code, at=now)


def test_jog_and_residents_sign_in_with_a_password_alone(client, db):
    jog = factories.user("jog")
    response = client.post("/sign-in", data={"email": jog.email, "password": factories.PASSWORD})
    assert response.headers["Location"] == "/findings/"


def test_first_sign_in_enrols_and_gives_single_use_recovery_codes(app, client, db):
    officer = factories.user("admin", totp=False)
    response = client.post(
        "/sign-in", data={"email": officer.email, "password": factories.PASSWORD}
    )
    assert response.headers["Location"] == "/sign-in/set-up-codes"
    page = client.get("/sign-in/set-up-codes").get_data(as_text=True)
    with client.session_transaction() as session:
        secret = session["mfa_secret"]
    assert secret in page
    done = client.post("/sign-in/set-up-codes", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    html = done.get_data(as_text=True)
    codes = re.findall(r"<li><code>([^<]+)</code></li>", html)
    assert len(codes) == 10
    db.refresh(officer)
    assert officer.totp_secret == secret
    assert all(code not in str(officer.recovery_codes) for code in codes)  # only hashes kept
    assert client.get("/manage/").status_code == 200
    # A recovery code signs in once, then never again.
    client.post("/sign-out")
    other = app.test_client()
    for attempt, expected in ((1, "/manage/"), (2, None)):
        other.post("/sign-in", data={"email": officer.email, "password": factories.PASSWORD})
        response = other.post("/sign-in/code", data={"code": codes[0].upper()})
        if expected:
            assert response.headers["Location"] == expected, attempt
            other.post("/sign-out")
        else:
            assert response.status_code == 400


def test_the_code_page_needs_a_password_first(client, db):
    assert client.get("/sign-in/code").status_code == 302
    assert client.post("/sign-in/code", data={"code": "123456"}).status_code == 302


# --- lock-out and enumeration ---------------------------------------------------------------


def test_lock_out_backs_off_and_looks_the_same_for_unknown_addresses(client, db):
    officer = factories.user("officer")
    pages = {}
    for email in (officer.email, "nobody-here@example.org"):
        for _ in range(throttle.FREE_ATTEMPTS):
            response = client.post("/sign-in", data={"email": email, "password": "wrong password!"})
            assert response.status_code == 400
        locked = client.post("/sign-in", data={"email": email, "password": "wrong password!"})
        assert locked.status_code == 429
        page = locked.get_data(as_text=True).replace(email, "EMAIL")
        pages[email] = re.sub(r'nonce="[^"]+"', "", page)
    assert "Too many tries" in pages[officer.email]
    # The same message whether or not the account exists (the CSRF-free test app has no tokens).
    assert pages[officer.email] == pages["nobody-here@example.org"]
    # Even the right password waits out the lock.
    right = client.post("/sign-in", data={"email": officer.email, "password": factories.PASSWORD})
    assert right.status_code == 429


def test_back_off_doubles(db):
    from datetime import timedelta

    from surveys.base import utcnow

    now = utcnow()
    email = "someone@example.org"
    for _ in range(throttle.FREE_ATTEMPTS):
        throttle.failed(db, email, now)
    first = throttle.locked_until(db, email, now) - now
    throttle.failed(db, email, now)
    second = throttle.locked_until(db, email, now) - now
    assert first == timedelta(minutes=1)
    assert second == timedelta(minutes=2)
    assert throttle.locked_until(db, email, now + timedelta(minutes=3)) is None


def test_unknown_address_takes_about_as_long_as_a_wrong_password(client, db):
    officer = factories.user("officer")

    def timed(email: str) -> float:
        start = time.perf_counter()
        client.post("/sign-in", data={"email": email, "password": "not the password"})
        return time.perf_counter() - start

    known = min(timed(officer.email) for _ in range(3))
    unknown = min(timed(f"nobody{n}@example.org") for n in range(3))
    assert unknown > known / 3  # both verify an argon2 hash; no fast path for unknown emails


def test_sign_ins_and_failures_are_in_the_audit_log(client, auth, db):
    officer = factories.user("officer")
    client.post("/sign-in", data={"email": officer.email, "password": "wrong password here"})
    client.post("/sign-in", data={"email": "my secret password", "password": "x"})
    auth.login(officer)
    auth.logout()
    rows = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    actions = [row.action for row in rows]
    assert actions[-4:] == ["auth.login_failed", "auth.login_failed", "auth.login", "auth.logout"]
    assert rows[-4].detail == {"email": officer.email}
    assert rows[-3].detail == {"email": "(not an email address)"}  # never a typed password
    db.refresh(officer)
    assert officer.session_version == 2
