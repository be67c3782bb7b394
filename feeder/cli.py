"""The `feeder` command line: parses options, calls one core function, shows the result."""

from __future__ import annotations

import json
import logging
import traceback
from dataclasses import asdict
from datetime import datetime
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from .cli_stories import date_command, item_json, stories, story
from .config import FolderSourceConfig, Settings
from .core import (
    UnknownItemError,
    UnknownTopicError,
    database_schema,
    upgrade_database,
)
from .explanation import explanation_json, render_explanation
from .health import backoff_interval
from .model import RefreshSummary
from .normalize import mask_url
from .publish import PublishError
from .store import LockBusyError, StoreError
from .terminal import (
    EXIT_CONFIG,
    EXIT_FATAL,
    EXIT_INPUT_FAILED,
    EXIT_OK,
    ConfigOption,
    JsonOption,
    err,
    fail,
    open_feeder,
    out,
    say,
    settings_of,
)
from .update import LeaseLost

app = typer.Typer(
    help="Publish a folder of captured news pages as Atom and RSS feeds, one per topic.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def refresh(
    config: ConfigOption = None,
    as_json: JsonOption = False,
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
    with open_feeder(config) as feeder:
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
                summary = feeder.refresh(on_progress, lock_timeout=wait)
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
    if as_json:
        out.print_json(json.dumps(asdict(summary)))
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
    if summary.archives_written:
        table.add_row("archive months written", str(summary.archives_written), "", "")
    if summary.items_retagged:
        table.add_row("items re-tagged", str(summary.items_retagged), "", "")
    if summary.items_redated:
        table.add_row("items re-dated", str(summary.items_redated), "", "")
    out.print(table)
    if summary.sources_skipped:
        say(f"skipped (another worker is refreshing them): {', '.join(summary.sources_skipped)}")


db = typer.Typer(help="The database schema: see where it stands, upgrade it.", no_args_is_help=True)
app.add_typer(db, name="db")


def _database(settings: Settings) -> str:
    return mask_url(settings.database_url or "")


@db.command("current")
def db_current(config: ConfigOption = None) -> None:
    """Print the database's schema revision and the one this feeder needs.

    Exit status: 0 up to date; 1 behind (run `feeder db upgrade`); 3 unreachable.
    """
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
    """List the newest entries (one per story; `feeder stories` lists their reports)."""
    with open_feeder(config) as feeder:
        site = feeder.site
        try:
            found = feeder.items(topic, limit)
        except UnknownTopicError:
            fail(f"error: no topic {topic!r}; see `feeder topics`", EXIT_CONFIG)
        except StoreError as exc:
            fail(f"error: {exc}", EXIT_FATAL)
    if as_json:
        out.print_json(json.dumps([item_json(site, i) for i in found]))
        return
    table = Table(show_header=True)
    for column in ("date", "source", "key", "title", "topics", "story"):
        table.add_column(column)
    for item in found:
        table.add_row(
            site.day_of(item.published).isoformat(),
            item.date_source.value,
            item.key[:8],
            item.title,
            ", ".join(item.topics),
            f"+{len(item.also)} reports" if item.also else "",
        )
    out.print(table)


@app.command()
def explain(
    key: Annotated[str, typer.Argument(help="The item's key, or enough of its start.")],
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show why an item is in each topic or not: the score, the keyword matches that
    counted and where, those that did not and why, the threshold, and the verdict."""
    with open_feeder(config) as feeder:
        try:
            found = feeder.explain(key)
        except UnknownItemError as exc:
            fail(f"error: {exc.args[0]}; see `feeder items`", EXIT_INPUT_FAILED)
        except StoreError as exc:
            fail(f"error: {exc}", EXIT_FATAL)
    if as_json:
        out.print_json(json.dumps(explanation_json(found)))
        return
    out.print(render_explanation(found), highlight=False, markup=False, soft_wrap=True)


@app.command()
def topics(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """List the configured topics with their number of stored items."""
    with open_feeder(config) as feeder:
        try:
            found = feeder.topics()
        except StoreError as exc:
            fail(f"error: {exc}", EXIT_FATAL)
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


@app.command()
def serve(
    config: ConfigOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0 picks a free one).")] = 8080,
    watch: Annotated[
        bool, typer.Option("--watch", help="Also rescan a folder as soon as a file in it changes.")
    ] = False,
    access_log: Annotated[bool, typer.Option(help="Log every HTTP request.")] = True,
) -> None:
    """Run the service: rescan every source on its interval and serve the feeds over HTTP.

    Readers subscribe to http://HOST:PORT/<topic>.atom (or .rss); / lists every feed,
    /search.atom?q=words is a feed of matching items, /health and /metrics are for
    monitoring. Stops cleanly on SIGTERM or Ctrl-C (exit 0). Only one service may run
    per database (exit 3 if another one does).
    """
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # feeder logs one line per refresh itself; APScheduler's per-run lines add nothing.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # Imported here: the HTTP and scheduler stack would only slow the other commands.
    from .service import run_service

    with open_feeder(config) as feeder:
        try:
            run_service(feeder, host, port, watch=watch, access_log=access_log)
        except LockBusyError as exc:
            fail(f"error: {exc}", EXIT_FATAL)
        except OSError as exc:
            fail(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", EXIT_FATAL)


@app.command()
def status(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Show each source's last and next scan, the topics, and where data lives.

    Reads the database, so it works whether or not `feeder serve` is running.
    """
    with open_feeder(config) as feeder:
        try:
            sources = feeder.source_statuses()
            topic_list = feeder.topics()
            service = feeder.service_pid()
            shared, scanners = feeder.shared, feeder.scanners()
            pauses = {
                source.name: feeder.web_state(source.name).retry_after
                for source in feeder.settings.sources
                if not isinstance(source, FolderSourceConfig)
            }
            feeder_now = feeder.now()
            intervals = {source.name: source.interval for source in feeder.settings.sources}
        except StoreError as exc:
            fail(f"error: {exc}", EXIT_FATAL)
        settings = feeder.settings
    if as_json:
        document = {
            "service_pid": service,
            "shared": shared,
            "database": feeder.database,
            "feeds_dir": str(settings.feeds_dir),
            "sources": {
                name: {
                    k: (v.isoformat() if isinstance(v, datetime) else v)
                    for k, v in asdict(s).items()
                }
                | {
                    "worker": scanners.get(name, (None, False))[0],
                    "scanning": scanners.get(name, (None, False))[1],
                    "paused_until": _iso(pauses.get(name)),
                    "next_interval_seconds": backoff_interval(intervals[name], s.failures),
                }
                for name, s in sources.items()
            },
            "topics": {t.slug: t.items for t in topic_list},
        }
        out.print_json(json.dumps(document))
        return
    running = "not running" if not service else f"running (pid {service if service > 0 else '?'})"
    if shared:
        running = "any number of workers share this database (see 'worker' below)"
    out.print(
        f"service: {running}\ndatabase: {feeder.database}\nfeeds: {settings.feeds_dir}",
        soft_wrap=True,
        highlight=False,
    )
    table = Table(title="sources", show_header=True)
    columns = ["source", "path", "interval", "last scan", "result", "next scan", "failures"]
    for column in columns + (["worker"] if shared else []):
        table.add_column(column, overflow="fold")  # never cut a path or an error short
    for config_source in settings.sources:
        s = sources[config_source.name]
        result = (
            "never scanned"
            if s.last_scan is None
            else ("ok" if not s.last_error else f"failed: {s.last_error}")
        )
        interval = f"{config_source.interval:g} s"
        if s.failures:
            interval += (
                f" (backing off: {backoff_interval(config_source.interval, s.failures):g} s)"
            )
        if (paused := pauses.get(s.source)) and feeder_now < paused:
            result += f"; paused until {_when(paused)} (Retry-After)"
        row = [
            s.source,
            config_source.location,
            interval,
            _when(s.last_scan),
            result,
            _when(s.next_run) if service or shared else "(service not running)",
            str(s.failures),
        ]
        if shared:
            worker, scanning = scanners.get(s.source, ("", False))
            row.append(f"{worker} (scanning now)" if scanning else worker)
        table.add_row(*row)
    out.print(table)
    topics_table = Table(title="topics", show_header=True)
    for column in ("slug", "title", "items"):
        topics_table.add_column(column)
    for t in topic_list:
        topics_table.add_row(t.slug, t.title, str(t.items))
    out.print(topics_table)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "-"


app.command("stories")(stories)
app.add_typer(story, name="story")
app.command("date")(date_command)
