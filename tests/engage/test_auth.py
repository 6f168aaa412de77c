from __future__ import annotations

import pytest
from sqlalchemy import select

from engage.accounts.models import User
from engage.accounts.services import AccountError, create_user
from engage.cli import main
from engage.web.auth.views import safe_next
from tests import factories


def test_password_is_stored_as_argon2_hash(db):
    person = factories.user("officer")
    assert person.password_hash.startswith("$argon2id$")
    assert factories.PASSWORD not in person.password_hash


def test_sign_in_takes_staff_to_their_pages(client, auth, db):
    assert auth.login(factories.user("officer")).headers["Location"] == "/manage/"
    auth.logout()
    assert auth.login(factories.user("jog")).headers["Location"] == "/findings/"


def test_wrong_password_and_unknown_email_get_the_same_answer(client, auth, db):
    person = factories.user("officer")
    wrong = auth.login(person, password="not the password at all")
    unknown = client.post(
        "/sign-in", data={"email": "nobody@example.org", "password": "whatever whatever"}
    )
    assert wrong.status_code == unknown.status_code == 400
    message = "Enter a correct email address and password"
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert person.email in wrong.get_data(as_text=True)  # what they typed is kept


def test_disabled_account_cannot_sign_in(client, auth, db):
    person = factories.user("officer")
    person.active = False
    db.flush()
    assert auth.login(person).status_code == 400


def test_sign_out_revokes_a_captured_cookie(app, client, auth, db):
    officer = factories.user("officer")
    auth.login(officer)
    captured = client.get_cookie("session").value
    assert client.get("/manage/").status_code == 200
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", captured)
    assert thief.get("/manage/").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_next_never_leaves_the_site(target):
    assert safe_next(target) is None


def test_next_within_the_site_is_followed(client, auth, db):
    officer = factories.user("officer")
    # The target survives the one-time code step.
    response = factories.sign_in(client, officer, next_url="/findings/")
    assert response.headers["Location"] == "/findings/"
    assert safe_next("/manage/3") == "/manage/3"


def test_findings_need_jog_or_officer(client, auth, db):
    assert client.get("/findings/").status_code == 302
    auth.login(factories.user("resident"))
    assert client.get("/findings/").status_code == 403
    auth.logout()
    auth.login(factories.user("jog"))
    assert client.get("/findings/").status_code == 200


def test_account_rules(db):
    org = factories.organisation()
    with pytest.raises(AccountError, match="must belong to a partner organisation"):
        create_user(
            db,
            email="a@example.org",
            password="long enough pass",
            role="officer",
            organisation=None,
        )
    with pytest.raises(AccountError, match="Unknown role"):
        create_user(
            db, email="a@example.org", password="long enough pass", role="boss", organisation=org
        )
    with pytest.raises(AccountError, match="at least 12 characters"):
        create_user(db, email="a@example.org", password="short", role="officer", organisation=org)
    create_user(
        db, email="A@Example.org", password="long enough pass", role="officer", organisation=org
    )
    with pytest.raises(AccountError, match="already exists"):
        create_user(
            db, email="a@example.org", password="long enough pass", role="jog", organisation=org
        )


def create_by_cli(app, email: str, role: str, organisation: str):
    args = [
        "users",
        "create",
        "--email",
        email,
        "--role",
        role,
        "--organisation",
        organisation,
        "--password",
        "a long test password",
    ]
    return app.test_cli_runner().invoke(main, args=args)


def test_cli_creates_a_user(app, db):
    org = factories.organisation(code="nhs")
    result = create_by_cli(app, "jog@example.org", "jog", "nhs")
    assert result.exit_code == 0, result.output
    user = db.scalars(select(User).where(User.email == "jog@example.org")).one()
    assert user.role == "jog"
    assert user.organisation_id == org.id


def test_cli_explains_an_unknown_organisation(app, db):
    result = create_by_cli(app, "x@example.org", "officer", "nowhere")
    assert result.exit_code != 0
    assert "no partner organisation called 'nowhere'" in result.output
