"""Alembic migrations of feeder's schema, run by `feeder.store.migrate`."""
