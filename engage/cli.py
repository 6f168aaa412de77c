"""The ``engage`` command: database, accounts, demo, and the theme finder on files."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from analysis.cli import themes_command
from engage import migrate
from engage.accounts.services import AccountError, create_user, find_organisation, find_user
from engage.app import create_app
from engage.db import get_session
from engage.demo import seed, serve
from engage.demo.seed import DEMO_TOTP_SECRET
from engage.staff import change_role, disable_user, enable_user

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from engage.accounts.models import User


class EngageGroup(FlaskGroup):
    """Flask's group, plus ``themes``, the theme finder on files."""

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name == "themes":
            return themes_command
        return super().get_command(ctx, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), "themes"})


@click.group(
    cls=EngageGroup,
    create_app=create_app,
    add_version_option=False,
    add_default_commands=True,
    load_dotenv=False,
)
def main() -> None:
    """Engage: consultation and community engagement for Community Planning Partnerships.

    Settings come from ENGAGE_* environment variables (see the README).
    """


@main.group()
def db() -> None:
    """Create or change the database tables."""


@db.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Bring the database up to the newest schema (creates it on first use)."""

    migrate.upgrade(current_app.extensions["engine"])
    click.echo("Database is up to date.")


@db.command("check")
@with_appcontext
def db_check() -> None:
    """Fail if the models and the migrated database disagree."""

    diffs = migrate.differences(current_app.extensions["engine"])
    if diffs:
        for diff in diffs:
            click.echo(f"  {diff}", err=True)
        raise click.ClickException("The models and the migrations disagree (listed above).")
    click.echo("Models and migrations agree.")


@db.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
@with_appcontext
def db_revision(message: str) -> None:
    """Write a new migration from the difference between models and database."""

    migrate.revision(current_app.extensions["engine"], message)


@main.group()
def users() -> None:
    """Manage accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option(
    "--role",
    required=True,
    type=click.Choice(["resident", "panel_member", "officer", "jog", "admin"]),
)
@click.option("--organisation", default=None, help="Partner organisation code or name.")
@click.option("--name", default="")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when not given.",
)
@with_appcontext
def users_create(email: str, role: str, organisation: str | None, name: str, password: str) -> None:
    """Create an account: engage users create --email E --role R --organisation O."""

    session = get_session()
    org = None
    if organisation:
        org = find_organisation(session, organisation)
        if org is None:
            raise click.BadParameter(
                f"no partner organisation called {organisation!r}", param_hint="--organisation"
            )
    try:
        user = create_user(
            session, email=email, password=password, role=role, organisation=org, name=name
        )
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo(f"Created {user.role} account {user.email}.")


def _account(session: Session, email: str) -> User:

    user = find_user(session, email)
    if user is None:
        raise click.BadParameter(f"no account for {email!r}", param_hint="--email")
    return user


@users.command("set-role")
@click.option("--email", required=True)
@click.option(
    "--role",
    required=True,
    type=click.Choice(["resident", "panel_member", "officer", "jog", "admin"]),
)
@click.option("--organisation", default=None, help="Move to this partner organisation too.")
@with_appcontext
def users_set_role(email: str, role: str, organisation: str | None) -> None:
    """Change an account's role; it is signed out everywhere and the change is audited."""

    session = get_session()
    user = _account(session, email)
    org = None
    if organisation:
        org = find_organisation(session, organisation)
        if org is None:
            raise click.BadParameter(
                f"no partner organisation called {organisation!r}", param_hint="--organisation"
            )
    try:
        change_role(session, user, role, organisation=org)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo(f"{user.email} is now {user.role}.")


def _switch_account(email: str, *, enable: bool) -> None:

    session = get_session()
    user = _account(session, email)
    (enable_user if enable else disable_user)(session, user)
    session.commit()
    click.echo(f"Enabled {user.email} again." if enable else f"Disabled {user.email}.")


@users.command("disable")
@click.option("--email", required=True)
@with_appcontext
def users_disable(email: str) -> None:
    """Stop an account signing in and end its sessions (audited)."""
    _switch_account(email, enable=False)


@users.command("enable")
@click.option("--email", required=True)
@with_appcontext
def users_enable(email: str) -> None:
    """Let a disabled account sign in again (audited)."""
    _switch_account(email, enable=True)


@main.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Fill an empty database with the demo partnership (does nothing if already seeded)."""

    click.echo(seed.run())


@main.command("demo")
@click.option("--port", default=5000, show_default=True)
@click.option("--workers", default=2, show_default=True, help="Web processes.")
@with_appcontext
def demo(port: int, workers: int) -> None:
    """Migrate, seed, then serve the site with a Celery worker until Ctrl+C."""

    serve.run(port=port, workers=workers)


if __name__ == "__main__":
    main()


@main.command("demo-code")
def demo_code() -> None:
    """Print the demo officers' current one-time code (the demo's published key only)."""
    import pyotp

    click.echo(pyotp.TOTP(DEMO_TOTP_SECRET).now())
