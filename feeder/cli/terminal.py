"""What every `feeder` command shares: the consoles, exit statuses, common options,
and loading settings or opening a `Feeder` with errors reported the same way."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

from feeder.errors import ConfigError, StoreError

# Each command imports the core when it runs: `feeder --help` and `feeder init` need
# none of the database, HTTP and rendering stack behind it.
if TYPE_CHECKING:
    from feeder.config import FolderSourceConfig, Settings
    from feeder.core import Feeder

EXIT_OK, EXIT_INPUT_FAILED, EXIT_CONFIG, EXIT_FATAL = 0, 1, 2, 3

out = Console()
err = Console(stderr=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        envvar="FEEDER_CONFIG",
        help="Config file. Default: ./feeder.toml if it exists, else the built-in defaults.",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def say(message: str) -> None:
    """One message on stderr, never wrapped: errors must stay greppable and copyable."""
    err.print(message, highlight=False, markup=False, soft_wrap=True)


def fail(message: str, code: int) -> NoReturn:
    say(message)
    raise typer.Exit(code) from None


def settings_of(config: Path | None) -> Settings:
    from feeder.config import load_settings

    try:
        return load_settings(config)
    except ConfigError as exc:
        fail(f"config error: {exc}", EXIT_CONFIG)


def open_feeder(config: Path | None) -> Feeder:
    from feeder.core import make_feeder
    from feeder.refresh import published_address

    try:
        return make_feeder(published_address(settings_of(config)))
    except StoreError as exc:
        fail(f"error: {exc}", EXIT_FATAL)


def folder_shown(source: FolderSourceConfig) -> str:
    """A folder source's folder, and whether it is the packaged sample."""
    from feeder.config import DEFAULT_SEEDS, is_sample

    if is_sample(source.path):
        return (f"{source.path} (the sample captures shipped with feeder; they stay in "
                f"this folder's feeds once read: try them in a folder of their own, and put "
                f"your captures in ./{DEFAULT_SEEDS}/ or run `feeder init`)")  # fmt: skip
    return str(source.path)
