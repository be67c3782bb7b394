"""The `feeder` command line: parses options, calls one core function, shows the result."""

from __future__ import annotations

import json
import logging
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from feeder.cli.db import db
from feeder.cli.listing import explain, items, topics
from feeder.cli.removal import remove, restore
from feeder.cli.status import status
from feeder.cli.stories import date_command, stories, story
from feeder.cli.terminal import (
    EXIT_CONFIG,
    EXIT_FATAL,
    EXIT_INPUT_FAILED,
    EXIT_OK,
    ConfigOption,
    JsonOption,
    err,
    fail,
    folder_shown,
    open_feeder,
    out,
    say,
)
from feeder.errors import (
    LeaseLost,
    LockBusyError,
    PublishError,
    StarterExistsError,
    StoreError,
    UnknownSourceError,
)

# Commands import what they use when they run: a bare `feeder --help` stays quick.
if TYPE_CHECKING:
    from feeder.model import RefreshSummary

app = typer.Typer(
    help=(
        "Publish an organisation's news, from folders of captured pages and from web "
        "sources (RSS/Atom feeds, HTML listings, text pages), as Atom, RSS and JSON Feed "
        "feeds, one per topic, with one entry per story."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Click's plain help: Rich's panels print `<bool>` after every flag.
    rich_markup_mode=None,
)


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        out.print(f"feeder {version('feeder')}", highlight=False)
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    show_version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True,
                     help="Print feeder's version and exit."),
    ] = False,
    verbose: Annotated[
        int,
        typer.Option("--verbose", "-v", count=True, show_default=False,
                     help="Log more: -v what feeder does, -vv debugging detail."),
    ] = 0,
    log_level: Annotated[
        str | None,
        typer.Option("--log-level", metavar="LEVEL", show_default=False,
                     help="Log at this level: debug, info, warning or error."),
    ] = None,
) -> None:  # fmt: skip
    """Options every command takes."""
    from feeder.logs import configure_logging

    chosen = _log_level(verbose, log_level)
    ctx.obj = {"log_level": chosen}
    configure_logging(chosen if chosen is not None else logging.WARNING)


def _log_level(verbose: int, name: str | None) -> int | None:
    """The level asked for (None: each command's default)."""
    if name is not None:
        level = logging.getLevelNamesMapping().get(name.upper())
        if level is None:
            fail(f"error: --log-level: unknown level {name!r} (use debug, info, warning or "
                 "error)", EXIT_CONFIG)  # fmt: skip
        return level
    return {0: None, 1: logging.INFO}.get(verbose, logging.DEBUG)


@app.command()
def refresh(
    config: ConfigOption = None,
    as_json: JsonOption = False,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            "-s",
            metavar="NAME",
            show_default=False,
            help="Refresh only this source (repeat for more).",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
    wait: Annotated[
        float,
        typer.Option(
            "--wait", min=0, help="Seconds to wait while another feeder process is refreshing."
        ),
    ] = 120.0,
) -> None:
    """Scan the sources once, store new and changed items, and write the feeds.

    Safe beside a running `feeder serve`: it waits for the service's refresh to end.
    Exit status: 0 done; 1 some inputs failed (the rest was published);
    2 configuration error; 3 the database or the output folder failed, or another
    feeder process kept the database busy for longer than --wait.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from feeder.config import FolderSourceConfig

    with open_feeder(config) as feeder:
        if not (quiet or as_json):
            for source in feeder.settings.sources:
                if isinstance(source, FolderSourceConfig) and (not only or source.name in only):
                    say(f"source {source.name!r}: reading {folder_shown(source)}")
        progress = Progress(
            TextColumn("reading"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            console=err,
            transient=True,
            disable=quiet or as_json or not err.is_terminal,
        )
        task = None

        def on_progress(done: int, total: int, path: str) -> None:
            nonlocal task
            if task is None:
                task = progress.add_task(path, total=total)
            progress.update(task, completed=done, description=path)

        try:
            with progress:
                summary = feeder.refresh(on_progress, only or None, lock_timeout=wait)
        except UnknownSourceError as exc:
            fail(f"error: --source: no source {exc.args[0]!r}; see `feeder status`", EXIT_CONFIG)
        except (LockBusyError, LeaseLost) as exc:
            fail(f"error: {exc}", EXIT_FATAL)
        except StoreError as exc:
            fail(f"error: refresh failed, its unfinished batch was rolled back: {exc}", EXIT_FATAL)
        except PublishError as exc:
            fail(
                f"error: items were stored but publishing failed (the next refresh retries): {exc}",
                EXIT_FATAL,
            )
        except Exception:
            # A bug, not bad input: keep the traceback for the report, but never exit 1,
            # which promises that everything except the named inputs was published.
            fail(f"error: refresh failed unexpectedly\n{traceback.format_exc()}", EXIT_FATAL)
    _report(summary, as_json=as_json, quiet=quiet)
    raise typer.Exit(EXIT_OK if summary.ok else EXIT_INPUT_FAILED)


def _report(summary: RefreshSummary, *, as_json: bool, quiet: bool) -> None:
    from rich.table import Table

    if as_json:
        out.print_json(json.dumps(summary.as_dict()))
        return
    for warning in summary.warnings:
        if not quiet:
            say(f"warning: {warning}")
    for error in summary.errors:
        say(f"error: {error}")
    if quiet:
        return
    table = Table(title="feeder refresh", show_header=True)
    for column in ("", "done", "unchanged", "failed"):
        table.add_column(column, justify="right" if column else "left")
    failed = len(summary.failed_sources)
    if failed:
        table.add_row("sources", "", "", str(failed))
    table.add_row("files read", str(summary.files_scanned), str(summary.files_unchanged),
                  str(summary.files_failed))  # fmt: skip
    if summary.fetches or summary.fetches_unchanged or summary.fetches_failed:
        table.add_row("web fetches", str(summary.fetches), str(summary.fetches_unchanged),
                      str(summary.fetches_failed))  # fmt: skip
    table.add_row(
        "items new / updated",
        f"{summary.items_new} / {summary.items_updated}",
        str(summary.items_unchanged),
        "",
    )
    table.add_row("feeds written", str(summary.feeds_written), str(summary.feeds_unchanged), "")
    table.add_row("pages written", str(summary.pages_written), "", "")
    if summary.archives_written:
        table.add_row("archive pages written", str(summary.archives_written), "", "")
    if summary.items_deferred:
        table.add_row("new items left for the next fetch", "", str(summary.items_deferred), "")
    if summary.items_retagged:
        table.add_row("items re-tagged", str(summary.items_retagged), "", "")
    if summary.items_removed_skipped:
        table.add_row("items removed by hand, skipped", "", str(summary.items_removed_skipped), "")
    if summary.items_redated:
        table.add_row("items re-dated", str(summary.items_redated), "", "")
    out.print(table)
    if summary.sources_skipped:
        say(f"skipped (another worker is refreshing them): {', '.join(summary.sources_skipped)}")


@app.command()
def serve(
    ctx: typer.Context,
    config: ConfigOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0 picks a free one).")] = 8080,
    watch: Annotated[
        bool, typer.Option("--watch", help="Also rescan a folder as soon as a file in it changes.")
    ] = False,
    access_log: Annotated[bool, typer.Option(help="Log every HTTP request.")] = True,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="The address readers reach the feeds at, for the links in feeds and pages "
            "(e.g. behind a proxy). Default: base_url from the config file, else "
            "http://HOST:PORT/.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run the service: rescan every source on its interval and serve the feeds over HTTP.

    Readers subscribe to http://HOST:PORT/<topic>.atom (or .rss); / lists every feed,
    /search.atom?q=words is a feed of matching items, /health and /metrics are for
    monitoring. The log says at start which address the feeds name. Stops cleanly on
    SIGTERM or Ctrl-C (exit 0). Only one service may run per database (exit 3 if
    another one does); exit 2 for a bad configuration or --base-url.
    """
    from feeder.logs import configure_logging

    # The service tells what it does unless asked otherwise (-v, --log-level).
    configure_logging((ctx.obj or {}).get("log_level") or logging.INFO)
    # Imported here: the HTTP and scheduler stack would only slow the other commands.
    from feeder.service.runner import checked_base_url, run_service

    if base_url is not None:
        try:
            base_url = checked_base_url(base_url)
        except ValueError as exc:
            fail(f"error: --base-url: {exc}", EXIT_CONFIG)
    with open_feeder(config) as feeder:
        try:
            run_service(feeder, host, port, base_url=base_url, watch=watch, access_log=access_log)
        except LockBusyError as exc:
            fail(f"error: {exc}", EXIT_FATAL)
        except OSError as exc:
            fail(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", EXIT_FATAL)


@app.command()
def init(
    folder: Annotated[
        Path, typer.Argument(help="Where to write feeder.toml (made if missing).")
    ] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Overwrite a feeder.toml there.")] = False,
) -> None:
    """Write a commented starter feeder.toml holding the built-in defaults."""
    from feeder.config import DEFAULT_SEEDS, default_seeds, is_sample
    from feeder.config.starter import write_starter

    try:
        written = write_starter(folder, force)
    except StarterExistsError as exc:
        fail(f"error: {exc}", EXIT_INPUT_FAILED)
    except OSError as exc:
        fail(f"error: {folder}: cannot write feeder.toml: {exc.strerror or exc}", EXIT_FATAL)
    seeds = default_seeds(folder.resolve())
    reads = (
        f"reads {seeds}"
        if not is_sample(seeds)
        else (f"reads the sample captures until {folder / DEFAULT_SEEDS} exists")
    )
    say(f"wrote {written}; edit it, then run `feeder refresh` there (the built-in source {reads})")


app.command("items")(items)
app.command("explain")(explain)
app.command("topics")(topics)
app.command("status")(status)
app.add_typer(db, name="db")
app.command("stories")(stories)
app.add_typer(story, name="story")
app.command("date")(date_command)
app.command("remove")(remove)
app.command("restore")(restore)
