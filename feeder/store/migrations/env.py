"""Alembic environment: migrations run on the connection `feeder.store.migrate` hands in,
inside its transaction, so an upgrade commits whole or not at all."""

from alembic import context

from feeder.store.schema import METADATA

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=METADATA)
with context.begin_transaction():
    context.run_migrations()
