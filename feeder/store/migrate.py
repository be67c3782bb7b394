"""Schema revisions (Alembic, kept in `migrations/`): where a database stands and
bringing it up to date. A database from before migrations existed is recognised
and stamped as the first revision, so it upgrades like any other."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from feeder.errors import SchemaBehindError, StoreError

if TYPE_CHECKING:  # Alembic loads only when a schema is checked in full or migrated
    from alembic.config import Config
    from alembic.script import ScriptDirectory

_MIGRATIONS = Path(__file__).with_name("migrations")
_FIRST_REVISION = "0001"
# Serialises `feeder db upgrade` runs on PostgreSQL (any fixed number would do).
_UPGRADE_LOCK = 0x66656564


@dataclass(frozen=True)
class SchemaState:
    current: str | None  # None: an empty database
    head: str  # the revision this feeder needs
    known: bool  # False: a newer feeder upgraded the database past what this one knows

    @property
    def behind(self) -> bool:
        return self.current != self.head


def _config(conn: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def head_by_name() -> str:
    """The newest revision, read from the migration files' names (each begins with
    its revision, as `0005_removed_items.py` holds revision 0005)."""
    return max(path.name.split("_", 1)[0] for path in _MIGRATIONS.glob("versions/[0-9]*_*.py"))


def _recorded_revision(conn: Connection) -> str | None:
    """The revision Alembic recorded in the database, read with plain SQL."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _current(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    revision = MigrationContext.configure(conn).get_current_revision()
    if revision is None and inspect(conn).has_table("items"):
        return _FIRST_REVISION  # made by the first release, before migrations existed
    return revision


def schema_state(engine: Engine) -> SchemaState:
    with engine.connect() as conn:
        return _state(_current(conn))


def _state(current: str | None) -> SchemaState:
    script = _script()
    head = script.get_current_head()
    assert head is not None
    known = current is None or any(s.revision == current for s in script.walk_revisions())
    return SchemaState(current, head, known)


def upgrade(engine: Engine, revision: str = "head") -> SchemaState:
    """Bring the schema to the newest revision (or `revision`) in one transaction;
    returns where it stood before. Safe to run concurrently: a second run waits, then
    finds nothing to do."""
    with engine.connect() as conn:
        # SQLite: BEGIN IMMEDIATE (see Store), so two starts cannot both migrate.
        conn = conn.execution_options(feeder_write=True)
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_UPGRADE_LOCK})")
            before = _state(_current(conn))
            if not before.known:
                return before  # a newer feeder's schema: leave it alone
            from alembic import command
            from alembic.runtime.migration import MigrationContext

            if (
                before.current == _FIRST_REVISION
                and MigrationContext.configure(conn).get_current_revision() is None
            ):
                command.stamp(_config(conn), _FIRST_REVISION)
            command.upgrade(_config(conn), revision)
    return before


def ensure_current(engine: Engine, url: str) -> None:
    """Make sure this feeder can use the schema of the database at `url`: a SQLite one
    is upgraded here, a PostgreSQL one only by `feeder db upgrade`, since several
    workers share it (`SchemaBehindError` until then)."""
    with engine.connect() as conn:
        if _recorded_revision(conn) == head_by_name():
            return  # the usual case, settled without loading Alembic (a tenth of a second)
    found = schema_state(engine)
    if not found.known:
        raise StoreError(
            f"database {url}: its schema is at revision {found.current}, newer than "
            f"this feeder knows (up to {found.head}); upgrade feeder"
        )
    if not found.behind:
        return
    if engine.dialect.name == "sqlite":
        upgrade(engine)
        return
    raise SchemaBehindError(
        f"database {url}: its schema is at revision {found.current or 'none (empty)'}"
        f" but this feeder needs {found.head}; run `feeder db upgrade` first"
    )
