"""`feeder items`, `explain` and `topics`: what is stored, and why it is where it is."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer

from feeder.cli.explanation import explanation_json, render_explanation
from feeder.cli.stories import item_json
from feeder.cli.terminal import (
    EXIT_CONFIG,
    EXIT_FATAL,
    EXIT_INPUT_FAILED,
    ConfigOption,
    JsonOption,
    fail,
    open_feeder,
    out,
)
from feeder.errors import (
    SearchQueryError,
    StoreError,
    UnknownItemError,
    UnknownSourceError,
    UnknownTopicError,
)


def items(
    config: ConfigOption = None,
    topic: Annotated[
        str | None, typer.Option("--topic", "-t", help="Only this topic (its slug).")
    ] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", "-s", metavar="NAME", help="Only stories this source reported."),
    ] = None,
    since: Annotated[
        datetime | None,
        typer.Option("--since", metavar="DATE", formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"],
                     help="Only entries published on or after this day (YYYY-MM-DD, or with a time "
                          "YYYY-MM-DDTHH:MM:SS), in the "
                          "configured time zone."),
    ] = None,
    search: Annotated[
        str | None,
        typer.Option("--search", "-q", metavar="QUERY",
                     help='Only entries matching QUERY, as /search: words, "a phrase", '
                          "prefix*, AND, OR, NOT."),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="How many, newest first.")
    ] = 20,
    as_json: JsonOption = False,
) -> None:  # fmt: skip
    """List the newest entries (one per story; `feeder stories` lists their reports)."""
    from rich.table import Table

    from feeder.store import ItemQuery

    with open_feeder(config) as feeder:
        site = feeder.site
        start = None
        if since is not None:
            start = since.replace(tzinfo=since.tzinfo or feeder.settings.tz)
        query = ItemQuery(topic, source, start, search, limit)
        try:
            found = feeder.find_items(query)
        except UnknownTopicError:
            fail(f"error: --topic: no topic {topic!r}; see `feeder topics`", EXIT_CONFIG)
        except UnknownSourceError:
            fail(f"error: --source: no source {source!r}; see `feeder status`", EXIT_CONFIG)
        except SearchQueryError as exc:
            fail(f"error: --search: {exc}", EXIT_CONFIG)
        except StoreError as exc:
            fail(f"error: {exc}", EXIT_FATAL)
    if as_json:
        out.print_json(json.dumps([item_json(site, i) for i in found]))
        return
    table = Table(show_header=True)
    for column in ("date", "dated by", "source", "key", "title", "topics", "story", "link"):
        table.add_column(column, overflow="fold")
    for item in found:
        table.add_row(
            site.day_of(item.published).isoformat(),
            item.date_source.value,
            item.source,
            item.key,
            item.title,
            ", ".join(item.topics),
            f"+{len(item.also)} reports" if item.also else "",
            item.link or "",
        )
    out.print(table)


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


def topics(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """List the configured topics with their number of stored items."""
    from rich.table import Table

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
