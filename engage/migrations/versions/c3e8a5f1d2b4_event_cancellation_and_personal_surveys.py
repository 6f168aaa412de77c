"""an event's cancellation reason, and consultations answered only from personal links

Revision ID: c3e8a5f1d2b4
Revises: b7d41e2c9a10
Create Date: 2027-01-20 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "c3e8a5f1d2b4"
down_revision = "b7d41e2c9a10"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cancellation_reason", sa.Text(), nullable=False, server_default="")
        )
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "personal_links_only", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    # Feedback surveys made before this column are answered from attendees' links only.
    feedback = sa.select(sa.column("feedback_consultation_id")).select_from(sa.table("events"))
    consultations = sa.table("consultations", sa.column("id"), sa.column("personal_links_only"))
    op.execute(
        consultations.update()
        .where(consultations.c.id.in_(feedback))
        .values(personal_links_only=sa.true())
    )


def downgrade() -> None:
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.drop_column("personal_links_only")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("cancellation_reason")
