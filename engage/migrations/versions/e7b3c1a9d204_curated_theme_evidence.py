"""key words, 95% range, tone and typical answers of each curated theme

Revision ID: e7b3c1a9d204
Revises: d9a4c7e2b158
Create Date: 2026-12-07 17:20:00.000000

Measured from the theme's own answers when officers approve the set, so the findings page, the
reports and the board show curated themes with the same evidence as the machine's.
"""

import sqlalchemy as sa
from alembic import op

revision = "e7b3c1a9d204"
down_revision = "d9a4c7e2b158"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("curated_themes") as batch:
        batch.add_column(sa.Column("evidence", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("curated_themes") as batch:
        batch.drop_column("evidence")
