"""`feeder db`: where the database schema stands, and upgrading it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from feeder.cli.terminal import (
    EXIT_FATAL,
    EXIT_INPUT_FAILED,
    EXIT_OK,
    ConfigOption,
    fail,
    out,
    settings_of,
)
from feeder.errors import StoreError

if TYPE_CHECKING:
    from feeder.config import Settings

db = typer.Typer(help="The database schema: see where it stands, upgrade it.", no_args_is_help=True)


def _database(settings: Settings) -> str:
    from feeder.normalize import mask_url

    return mask_url(settings.database_url or "")


@db.command("current")
def db_current(config: ConfigOption = None) -> None:
    """Print the database's schema revision and the one this feeder needs.

    Exit status: 0 up to date; 1 behind (run `feeder db upgrade`); 3 unreachable.
    """
    from feeder.core import database_schema

    settings = settings_of(config)
    try:
        state = database_schema(settings)
    except StoreError as exc:
        fail(f"error: {exc}", EXIT_FATAL)
    shown = state.current or "none (empty database)"
    verdict = "up to date" if not state.behind else "behind: run `feeder db upgrade`"
    if not state.known:
        verdict = "newer than this feeder: upgrade feeder"
    out.print(
        f"database {_database(settings)}: revision {shown}, feeder needs {state.head} ({verdict})",
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(EXIT_OK if not state.behind else EXIT_INPUT_FAILED)


@db.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Migrate the database's schema to this feeder's revision, keeping every item.

    SQLite databases are upgraded on start anyway; PostgreSQL ones only by this
    command, once, before the workers start. Exit status: 0 done; 3 failed.
    """
    from feeder.core import upgrade_database

    settings = settings_of(config)
    try:
        before = upgrade_database(settings)
    except StoreError as exc:
        fail(f"error: upgrade failed, the database is unchanged: {exc}", EXIT_FATAL)
    if not before.known:
        fail(
            f"error: the database is at revision {before.current}, newer than this feeder; "
            "upgrade feeder",
            EXIT_FATAL,
        )
    if before.behind:
        out.print(
            f"upgraded {_database(settings)} from revision "
            f"{before.current or 'none (empty)'} to {before.head}",
            highlight=False,
            soft_wrap=True,
        )
    else:
        out.print(
            f"{_database(settings)} is already at revision {before.head}",
            highlight=False,
            soft_wrap=True,
        )
