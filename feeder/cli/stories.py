"""The `feeder stories`, `feeder story` and `feeder date` commands: list the stories,
and decide by hand which story an item reports and when it happened."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from feeder.cli.terminal import (
    EXIT_FATAL,
    EXIT_INPUT_FAILED,
    ConfigOption,
    JsonOption,
    fail,
    open_feeder,
    out,
)
from feeder.errors import StoreError, UnknownItemError

if TYPE_CHECKING:
    from feeder.core import Feeder
    from feeder.model import Site, StoredItem

story = typer.Typer(
    help="Decide by hand which story an item reports: grouping's judgement, overridden.",
    no_args_is_help=True,
)
KeyArgument = Annotated[str, typer.Argument(help="The item's key, or enough of its start.")]


def item_json(site: Site, item: StoredItem) -> dict[str, Any]:
    """An item as `feeder items --json` and `feeder stories --json` show it: its story
    is the key of the story's lead (its feed entry), its own for a lead."""
    return {
        "key": item.key,
        "date": site.day_of(item.published).isoformat(),
        "published": item.published.isoformat(),
        "date_source": item.date_source.value,
        "title": item.title,
        "source": item.source,
        "link": item.link,
        "topics": list(item.topics),
        "why": dict(item.why),
        "story": item.story or item.key,
        "also": [
            {"key": other.key, "title": other.title, "source": other.source,
             "link": other.link, "date": site.day_of(other.published).isoformat()}
            for other in item.also
        ],
    }  # fmt: skip


def stories(
    config: ConfigOption = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="How many, newest first.")
    ] = 20,
    as_json: JsonOption = False,
) -> None:
    """List the newest stories reported more than once: each story's entry (its first
    report) and its other reports, with their sources and dates."""
    from rich.table import Table

    with open_feeder(config) as feeder:
        site = feeder.site
        try:
            found = feeder.stories(limit)
        except StoreError as exc:
            fail(f"error: {exc}", EXIT_FATAL)
    if as_json:
        out.print_json(json.dumps([item_json(site, item) for item in found]))
        return
    table = Table(show_header=True)
    for column in ("story", "date", "report", "source", "title"):
        table.add_column(column)
    for item in found:
        table.add_row(
            item.key[:8], site.day_of(item.published).isoformat(), "entry", item.source, item.title
        )
        for other in item.also:
            day = site.day_of(other.published).isoformat()
            table.add_row("", day, other.key[:8], other.source, other.title)
    out.print(table)


@story.command("join")
def join(key: KeyArgument, other: KeyArgument, config: ConfigOption = None) -> None:
    """Put the item KEY in the story of the item OTHER (kept through re-grouping)."""
    found, _ = _decide(config, lambda feeder: feeder.join_story(key, other))
    out.print(f"{key} is now a report of the story {found.key} ({found.title})", highlight=False)


@story.command("alone")
def alone(key: KeyArgument, config: ConfigOption = None) -> None:
    """Make the item KEY a story of its own, which no other report joins."""
    found, _ = _decide(config, lambda feeder: feeder.leave_story(key))
    out.print(f"{found.key} is now a story of its own", highlight=False)


def date_command(
    key: KeyArgument,
    day: Annotated[
        str | None, typer.Argument(help="The date, YYYY-MM-DD.", show_default=False)
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Forget the date set by hand.")] = False,
    config: ConfigOption = None,
) -> None:
    """Date the item KEY by hand (kept through re-grouping and re-parsing), or with
    --clear give it back the date its text or its story gives."""
    if (day is None) == (not clear):
        fail("error: give either a date (YYYY-MM-DD) or --clear", EXIT_INPUT_FAILED)
    try:
        chosen = date.fromisoformat(day) if day else None
    except ValueError:
        fail(f"error: {day!r} is not a date (YYYY-MM-DD)", EXIT_INPUT_FAILED)
    found, site = _decide(config, lambda feeder: feeder.set_date(key, chosen))
    shown = site.day_of(found.published).isoformat()
    out.print(f"{found.key} is dated {shown} ({found.date_source.value})", highlight=False)


def _decide(
    config: Path | None, decision: Callable[[Feeder], StoredItem]
) -> tuple[StoredItem, Site]:
    """Apply a decision through the core, reporting a wrong key or a database error."""
    with open_feeder(config) as feeder:
        try:
            return decision(feeder), feeder.site
        except UnknownItemError as exc:
            fail(f"error: {exc.args[0]}; see `feeder items`", EXIT_INPUT_FAILED)
        except StoreError as exc:
            fail(f"error: {exc}", EXIT_FATAL)
