"""Schema migrations on SQLite and PostgreSQL: a database made by an older release is
upgraded with every item kept, PostgreSQL only by `feeder db upgrade`, and the
migrations build exactly the schema the code declares."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import configure
from typer.testing import CliRunner

from feeder.cli import app
from feeder.store import SchemaBehindError, Store, StoreError
from feeder.store.migrate import upgrade
from feeder.store.schema import METADATA

HEAD = "0005"
runner = CliRunner()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database (no schema at all) on each dialect."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    return request.getfixturevalue("postgres_schema_url")


def first_release_database(url: str) -> None:
    """Build the first release's schema (revision 0001) and fill it as that release did:
    three items, their topics and where they were seen."""
    engine = sqlalchemy.create_engine(url)
    upgrade(engine, "0001")
    with engine.begin() as conn:
        for n, (title, text) in enumerate(
            [
                ("Summit in Minsk", "Peacekeepers trained near Minsk."),
                ("Exercise Rubezh", "Border guards of Tajikistan took part."),
                ("Council meeting", "Ministers met in Astana."),
            ],
            start=1,
        ):
            conn.exec_driver_sql(
                "INSERT INTO items (id, key, title, kind, body, author, content_hash, published,"
                " updated, first_seen, date_source, day, link, categories) VALUES"
                f" ({n}, 'key{n}', '{title}', 'article', '{json.dumps([['p', text]])}', NULL,"
                f" 'hash{n}', '2024-01-0{n} 00:00:00', '2024-01-0{n} 00:00:00',"
                f" '2024-02-01 00:00:00', 'explicit', '2024-01-0{n}', NULL, '[]')"
            )
            conn.exec_driver_sql(
                f"INSERT INTO item_topics VALUES ('news', {n}, '2024-01-0{n} 00:00:00', 'key{n}')"
            )
            conn.exec_driver_sql(
                "INSERT INTO sightings (item_id, source, path, first_seen, last_seen) VALUES"
                f" ({n}, 'seeds', '00{n}.txt', '2024-02-01 00:00:00', '2024-02-01 00:00:00')"
            )
    engine.dispose()


def assert_items_kept(store: Store) -> None:
    assert store.item_count() == 3
    assert [i.key for i in store.latest_items("news")] == ["key3", "key2", "key1"]
    # Tags from before 0003 carry no reason; items load with none until re-tagged.
    assert [dict(i.why) for i in store.latest_items("news")] == [{}, {}, {}]
    assert store.sightings("key2") == [("seeds", "002.txt")]
    assert [i.key for i in store.search("border guards", 10)] == ["key2"]  # indexed too


def test_sqlite_database_of_the_first_release_is_upgraded_on_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    first_release_database(url)
    store = Store(url)
    try:
        assert (store.schema_state().current, store.schema_state().behind) == (HEAD, False)
        assert_items_kept(store)
    finally:
        store.close()


def test_first_release_database_upgrades_with_every_item_kept(empty_database: str) -> None:
    first_release_database(empty_database)
    migrating = Store(empty_database, check_schema=False)
    before = migrating.upgrade_schema()
    migrating.close()
    assert (before.current, before.head) == ("0001", HEAD)
    store = Store(empty_database)
    try:
        assert_items_kept(store)
        assert store.upgrade_schema().behind is False  # a second upgrade does nothing
    finally:
        store.close()


def test_a_database_from_before_migrations_existed_is_recognised(empty_database: str) -> None:
    first_release_database(empty_database)
    engine = sqlalchemy.create_engine(empty_database)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE alembic_version")  # as the first release left it
    engine.dispose()
    store = Store(empty_database, check_schema=False)
    try:
        assert store.schema_state().current == "0001"
        store.upgrade_schema()
        assert store.schema_state().current == HEAD
        assert_items_kept(store)
    finally:
        store.close()


def test_postgresql_is_only_upgraded_by_the_explicit_command(
    postgres_schema_url: str, tmp_path: Path
) -> None:
    first_release_database(postgres_schema_url)
    with pytest.raises(SchemaBehindError, match=r"revision 0001 .* run `feeder db upgrade`"):
        Store(postgres_schema_url)
    configure(tmp_path, f'database_url = "{postgres_schema_url}"\n')
    config = str(tmp_path / "feeder.toml")
    refused = runner.invoke(app, ["refresh", "--config", config])
    assert refused.exit_code == 3 and "feeder db upgrade" in refused.stderr
    current = runner.invoke(app, ["db", "current", "--config", config])
    assert current.exit_code == 1
    assert f"revision 0001, feeder needs {HEAD} (behind" in current.stdout
    upgraded = runner.invoke(app, ["db", "upgrade", "--config", config])
    assert upgraded.exit_code == 0 and f"from revision 0001 to {HEAD}" in upgraded.stdout
    current = runner.invoke(app, ["db", "current", "--config", config])
    assert current.exit_code == 0 and "(up to date)" in current.stdout
    (tmp_path / "seeds").mkdir()
    assert runner.invoke(app, ["refresh", "--config", config]).exit_code == 0


def test_a_database_newer_than_this_feeder_is_refused_and_left_alone(
    empty_database: str,
) -> None:
    engine = sqlalchemy.create_engine(empty_database)
    upgrade(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    engine.dispose()
    with pytest.raises(StoreError, match="revision 9999, newer than this feeder"):
        Store(empty_database)
    untouched = Store(empty_database, check_schema=False)
    assert untouched.upgrade_schema().current == "9999"
    assert untouched.schema_state().current == "9999"
    untouched.close()


def _not_declared(obj: object, name: str | None, kind: str, reflected: bool, other: object) -> bool:
    """Search indexes are made by the migrations alone (see schema.py)."""
    return not (
        (kind == "table" and (name or "").startswith("items_fts"))
        or (kind == "column" and name == "search")
        or (kind == "index" and name == "ix_items_search")
    )


def test_migrations_build_exactly_the_declared_schema(empty_database: str) -> None:
    engine = sqlalchemy.create_engine(empty_database)
    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": _not_declared, "compare_type": True}
        )
        assert compare_metadata(context, METADATA) == []
    engine.dispose()


def test_the_head_read_from_file_names_is_alembics_head() -> None:
    # Opening a current database compares with it and never loads Alembic.
    from feeder.store.migrate import _script, head_by_name

    assert head_by_name() == _script().get_current_head()


def test_opening_a_current_database_does_not_load_alembic(tmp_path: Path) -> None:
    import subprocess
    import sys

    Store(f"sqlite:///{tmp_path / 'feeder.db'}").close()  # created and migrated
    probe = (
        "import sys; from feeder.store import Store; "
        f"Store('sqlite:///{tmp_path / 'feeder.db'}').close(); "
        "print(any(name.startswith('alembic') for name in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr
