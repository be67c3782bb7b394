"""The configured database's schema: where it stands, and migrating it (`feeder db`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from feeder.config import Settings
from feeder.store import SchemaState, Store


def database_schema(settings: Settings) -> SchemaState:
    """Where the configured database's schema stands (`feeder db current`)."""
    with _schema_store(settings) as store:
        return store.schema_state()


def upgrade_database(settings: Settings) -> SchemaState:
    """Migrate the configured database to this feeder's schema (`feeder db upgrade`);
    returns where it stood before."""
    with _schema_store(settings) as store:
        return store.upgrade_schema()


@contextmanager
def _schema_store(settings: Settings) -> Iterator[Store]:
    """The database opened as it is, whatever its schema revision."""
    assert settings.database_url is not None
    store = Store(settings.database_url, check_schema=False)
    try:
        yield store
    finally:
        store.close()
