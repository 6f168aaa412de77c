"""Alembic environment: runs against the engine ``engage.migrate`` passes in."""

from alembic import context

from engage.models import Base

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        compare_type=True,
        render_as_batch=True,  # SQLite can only change tables by copying them
    )
    with context.begin_transaction():
        context.run_migrations()
