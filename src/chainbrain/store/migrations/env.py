"""Alembic environment: runs migrations on the Store passed in ``config.attributes``."""

from alembic import context

from chainbrain.store import migrate  # noqa: F401  (registers the DuckDB implementation)
from chainbrain.store.schema import metadata

config = context.config
store = config.attributes["store"]

with store.engine.begin() as connection:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    context.run_migrations()
