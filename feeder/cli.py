"""The `feeder` command line: parses options, calls one core function, shows the result."""

from __future__ import annotations

import json
import traceback
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from .config import ConfigError, Settings, load_settings
from .core import Feeder, UnknownTopicError, make_feeder
from .model import RefreshSummary
from .publish import PublishError
from .store import StoreError

EXIT_OK, EXIT_INPUT_FAILED, EXIT_CONFIG, EXIT_FATAL = 0, 1, 2, 3

app = typer.Typer(
    help="Publish a folder of captured news pages as Atom and RSS feeds, one per topic.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
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


def _say(message: str) -> None:
    """One message on stderr, never wrapped: errors must stay greppable and copyable."""
    err.print(message, highlight=False, markup=False, soft_wrap=True)


def _settings(config: Path | None) -> Settings:
    try:
        return load_settings(config)
    except ConfigError as exc:
        _say(f"config error: {exc}")
        raise typer.Exit(EXIT_CONFIG) from None


def _open(config: Path | None) -> Feeder:
    settings = _settings(config)
    try:
        return make_feeder(settings)
    except StoreError as exc:
        _say(f"error: {exc}")
        raise typer.Exit(EXIT_FATAL) from None


@app.command()
def refresh(
    config: ConfigOption = None,
    as_json: JsonOption = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
) -> None:
    """Scan the sources once, store new and changed items, and write the feeds.

    Exit status: 0 done; 1 some inputs failed (the rest was published);
    2 configuration error; 3 the database or the output folder failed.
    """
    with _open(config) as feeder:
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
                summary = feeder.refresh(on_progress)
        except StoreError as exc:
            _say(f"error: refresh failed, the database is unchanged: {exc}")
            raise typer.Exit(EXIT_FATAL) from None
        except PublishError as exc:
            _say(
                f"error: items were stored but publishing failed (the next refresh retries): {exc}"
            )
            raise typer.Exit(EXIT_FATAL) from None
        except Exception:
            # A bug, not bad input: keep the traceback for the report, but never exit 1,
            # which promises that everything except the named inputs was published.
            _say(f"error: refresh failed unexpectedly\n{traceback.format_exc()}")
            raise typer.Exit(EXIT_FATAL) from None
    _report(summary, as_json=as_json, quiet=quiet)
    raise typer.Exit(EXIT_OK if summary.ok else EXIT_INPUT_FAILED)


def _report(summary: RefreshSummary, *, as_json: bool, quiet: bool) -> None:
    if as_json:
        out.print_json(json.dumps(asdict(summary)))
        return
    for warning in summary.warnings:
        if not quiet:
            _say(f"warning: {warning}")
    for error in summary.errors:
        _say(f"error: {error}")
    if quiet:
        return
    table = Table(title="feeder refresh", show_header=True)
    for column in ("", "done", "unchanged", "failed"):
        table.add_column(column, justify="right" if column else "left")
    table.add_row(
        "files read",
        str(summary.files_scanned),
        str(summary.files_unchanged),
        str(summary.files_failed),
    )
    table.add_row(
        "items new / updated",
        f"{summary.items_new} / {summary.items_updated}",
        str(summary.items_unchanged),
        "",
    )
    table.add_row("feeds written", str(summary.feeds_written), str(summary.feeds_unchanged), "")
    table.add_row("pages written", str(summary.pages_written), "", "")
    if summary.items_retagged:
        table.add_row("items re-tagged", str(summary.items_retagged), "", "")
    if summary.items_redated:
        table.add_row("items re-dated", str(summary.items_redated), "", "")
    out.print(table)


@app.command()
def items(
    config: ConfigOption = None,
    topic: Annotated[
        str | None, typer.Option("--topic", "-t", help="Only this topic (its slug).")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="How many, newest first.")
    ] = 20,
    as_json: JsonOption = False,
) -> None:
    """List the newest stored items."""
    with _open(config) as feeder:
        day_of = feeder.site.day_of
        try:
            found = feeder.items(topic, limit)
        except UnknownTopicError:
            _say(f"error: no topic {topic!r}; see `feeder topics`")
            raise typer.Exit(EXIT_CONFIG) from None
        except StoreError as exc:
            _say(f"error: {exc}")
            raise typer.Exit(EXIT_FATAL) from None
    if as_json:
        rows = [
            {
                "key": i.key,
                "date": day_of(i.published).isoformat(),
                "published": i.published.isoformat(),
                "date_source": i.date_source.value,
                "title": i.title,
                "topics": list(i.topics),
            }
            for i in found
        ]
        out.print_json(json.dumps(rows))
        return
    table = Table(show_header=True)
    for column in ("date", "source", "title", "topics"):
        table.add_column(column)
    for item in found:
        table.add_row(
            day_of(item.published).isoformat(),
            item.date_source.value,
            item.title,
            ", ".join(item.topics),
        )
    out.print(table)


@app.command()
def topics(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """List the configured topics with their number of stored items."""
    with _open(config) as feeder:
        try:
            found = feeder.topics()
        except StoreError as exc:
            _say(f"error: {exc}")
            raise typer.Exit(EXIT_FATAL) from None
    if as_json:
        out.print_json(
            json.dumps([{"slug": t.slug, "title": t.title, "items": t.items} for t in found])
        )
        return
    table = Table(show_header=True)
    for column in ("slug", "title", "items", "keywords"):
        table.add_column(column)
    for t in found:
        table.add_row(t.slug, t.title, str(t.items), ", ".join(t.keywords))
    out.print(table)
