"""a survey version on each consultation, changed by the database whenever a page or question is

Revision ID: d9a4c7e2b158
Revises: c5e1a9d3f720
Create Date: 2027-01-22 13:40:00.000000

``consultations.survey_version`` names the current shape of a consultation's survey, so each
web process may keep the parsed pages and questions (``surveys.snapshot``) and know, from the
one query a submission already makes, whether they are still current. Triggers set a new random
value on every insert, update or delete of a page or question, whatever code or SQL made it:
the builder, imports, copies, a migration, a console. Random rather than a counter, so a value
never names two different surveys (a rolled-back edit, a restored backup, a rebuilt database).
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "d9a4c7e2b158"
down_revision = "c5e1a9d3f720"
branch_labels = None
depends_on = None

TABLES = ("pages", "questions")
SQLITE_NEW = "lower(hex(randomblob(16)))"


def _sqlite_triggers() -> list[str]:
    """Only the constants above and fixed names are written into this SQL."""
    bump = f"UPDATE consultations SET survey_version = {SQLITE_NEW} WHERE id = "  # noqa: S608  # nosec B608
    statements = []
    for table in TABLES:
        for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            body = f"{bump}{row}.consultation_id;"
            if event == "UPDATE":  # a row moved to another consultation changes both
                body += (
                    f" {bump}OLD.consultation_id AND NEW.consultation_id <> OLD.consultation_id;"
                )
            statements.append(
                f"CREATE TRIGGER {table}_{event.lower()}_survey_version AFTER {event} ON {table}"
                f" FOR EACH ROW BEGIN {body} END"
            )
    return statements


POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION bump_survey_version() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE consultations SET survey_version = md5(random()::text || clock_timestamp()::text)
        WHERE id = OLD.consultation_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE consultations SET survey_version = md5(random()::text || clock_timestamp()::text)
        WHERE id = NEW.consultation_id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    with op.batch_alter_table("consultations") as batch:
        batch.add_column(sa.Column("survey_version", sa.String(length=32), nullable=True))
    connection = op.get_bind()
    consultations = sa.table("consultations", sa.column("id"), sa.column("survey_version"))
    for (consultation_id,) in connection.execute(sa.select(consultations.c.id)).all():
        connection.execute(
            consultations.update()
            .where(consultations.c.id == consultation_id)
            .values(survey_version=secrets.token_hex(16))
        )
    if connection.dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_survey_version AFTER INSERT OR UPDATE OR DELETE"
                f" ON {table} FOR EACH ROW EXECUTE FUNCTION bump_survey_version()"
            )
    else:
        for statement in _sqlite_triggers():
            op.execute(statement)


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_survey_version ON {table}")
        op.execute("DROP FUNCTION IF EXISTS bump_survey_version()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_{event}_survey_version")
    with op.batch_alter_table("consultations") as batch:
        batch.drop_column("survey_version")
