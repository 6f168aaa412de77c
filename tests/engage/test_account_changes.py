"""Role changes and disabling or enabling an account: each takes effect at once (sessions end)
and writes one audit row naming who did it, whose account, and what changed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engage.accounts.services import AccountError
from engage.audit.models import AuditEvent
from engage.cli import main
from engage.staff import change_role, disable_user, enable_user
from tests import factories
from tests.engage.test_sessions_and_mfa import captured


def rows(db, action):
    return db.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_a_role_change_is_audited_and_signs_the_person_out(app, client, auth, db):
    admin = factories.user("admin")
    officer = factories.user("officer")
    auth.login(officer)
    thief = captured(app, client)
    assert thief.get("/manage/").status_code == 200

    change_role(db, officer, "jog", by=admin)

    assert thief.get("/manage/").status_code == 302
    [row] = rows(db, "auth.role_changed")
    assert (row.actor_id, row.actor_role) == (admin.id, "admin")
    assert (row.target_type, row.target_id) == ("user", str(officer.id))
    assert row.detail == {"email": officer.email, "from": "officer", "to": "jog"}


def test_an_unknown_role_or_staff_without_an_organisation_is_refused_and_not_audited(db):
    resident = factories.user("resident")
    with pytest.raises(AccountError, match="Unknown role"):
        change_role(db, resident, "superuser")
    with pytest.raises(AccountError, match="must belong to a partner organisation"):
        change_role(db, resident, "officer")
    assert rows(db, "auth.role_changed") == []


def test_disable_and_enable_are_audited_with_who_did_it(client, db):
    admin = factories.user("admin")
    jog = factories.user("jog")

    disable_user(db, jog, by=admin)
    assert factories.sign_in(client, jog).status_code == 400  # the form again, refused
    enable_user(db, jog, by=admin)
    assert factories.sign_in(client, jog).status_code == 302

    [off] = rows(db, "auth.disabled")
    [on] = rows(db, "auth.enabled")
    for row in (off, on):
        assert (row.actor_id, row.target_id) == (admin.id, str(jog.id))
        assert row.detail == {"email": jog.email}
    assert off.id < on.id


def test_the_command_line_changes_roles_and_disables_with_an_audit_row(app, db):
    org = factories.organisation(code="nhs")
    person = factories.user("jog")
    runner = app.test_cli_runner()

    moved = runner.invoke(
        main,
        ["users", "set-role", "--email", person.email, "--role", "admin", "--organisation", "nhs"],
    )
    assert moved.exit_code == 0, moved.output
    assert f"{person.email} is now admin" in moved.output
    db.refresh(person)
    assert (person.role, person.organisation_id) == ("admin", org.id)

    assert runner.invoke(main, ["users", "disable", "--email", person.email]).exit_code == 0
    db.refresh(person)
    assert person.active is False
    assert runner.invoke(main, ["users", "enable", "--email", person.email]).exit_code == 0
    db.refresh(person)
    assert person.active is True

    [role_row] = rows(db, "auth.role_changed")
    assert role_row.actor_id is None  # the command line acts as the system
    assert (role_row.detail["from"], role_row.detail["to"]) == ("jog", "admin")
    assert len(rows(db, "auth.disabled")) == 1
    assert len(rows(db, "auth.enabled")) == 1


def test_the_command_line_names_an_unknown_account(app, db):
    result = app.test_cli_runner().invoke(
        main, ["users", "disable", "--email", "nobody@example.org"]
    )
    assert result.exit_code != 0
    assert "no account for 'nobody@example.org'" in result.output
    assert rows(db, "auth.disabled") == []


def test_the_audit_page_names_role_changes(client, auth, db):
    admin = factories.user("admin")
    officer = factories.user("officer")
    change_role(db, officer, "jog", by=admin)
    auth.login(admin)
    page = client.get("/audit?action=auth.role_changed").get_data(as_text=True)
    assert "Role changed" in page
    assert f"Account: {officer.name}" in page  # the About column names whom it changed
