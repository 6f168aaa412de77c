"""retention schedules per consultation, and staff's one-time-code keys encrypted at rest

Revision ID: c5e1a9d3f720
Revises: c3e8a5f1d2b4
Create Date: 2027-01-20 09:00:00.000000

The keys already stored are encrypted here, with the running application's key when the
migration runs inside one (``engage db upgrade``), otherwise with the key the environment gives
(``ENGAGE_ENCRYPTION_KEY``, else one derived from ``ENGAGE_SECRET_KEY``). A value that already
decrypts is left alone, so running it twice changes nothing. Downgrading decrypts them again.
"""

import sqlalchemy as sa
from alembic import op

import surveys.base

revision = "c5e1a9d3f720"
down_revision = "c3e8a5f1d2b4"
branch_labels = None
depends_on = None

users = sa.table(
    "users", sa.column("id", sa.Integer()), sa.column("totp_secret", sa.String(length=255))
)


def _secrets(connection: sa.Connection) -> list[tuple[int, str]]:
    rows = connection.execute(
        sa.select(users.c.id, users.c.totp_secret).where(users.c.totp_secret.is_not(None))
    )
    return [(row.id, row.totp_secret) for row in rows]


def upgrade() -> None:
    op.create_table(
        "retention_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=True),
        sa.Column("applied_at", surveys.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("applied_action", sa.String(length=20), nullable=True),
        sa.Column("applied_counts", sa.JSON(), nullable=False),
        sa.Column("updated_at", surveys.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_retention_schedules_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_retention_schedules_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_schedules")),
        sa.UniqueConstraint("consultation_id", name=op.f("uq_retention_schedules_consultation_id")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column(
            "totp_secret",
            existing_type=sa.String(length=64),
            type_=sa.String(length=255),
            existing_nullable=True,
        )
    from engage import crypto

    connection = op.get_bind()
    cipher = crypto.cipher()
    for user_id, secret in _secrets(connection):
        if crypto.is_encrypted(secret, cipher):
            continue
        connection.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(totp_secret=crypto.encrypt(secret, cipher))
        )


def downgrade() -> None:
    from engage import crypto

    connection = op.get_bind()
    cipher = crypto.cipher()
    for user_id, secret in _secrets(connection):
        if crypto.is_encrypted(secret, cipher):
            connection.execute(
                users.update()
                .where(users.c.id == user_id)
                .values(totp_secret=crypto.decrypt(secret, cipher))
            )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column(
            "totp_secret",
            existing_type=sa.String(length=255),
            type_=sa.String(length=64),
            existing_nullable=True,
        )
    op.drop_table("retention_schedules")
