"""The `feeder remove` and `feeder restore` commands: take an item out of every feed
and keep it out, or bring it back."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
from feeder.errors import PublishError, RemovalError, StoreError

if TYPE_CHECKING:
    from feeder.core import Feeder
    from feeder.model import Site
    from feeder.overrides.removal import Removal

KeyArgument = Annotated[str, typer.Argument(help="The item's key, or enough of its start.")]


def remove(key: KeyArgument, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Take the item KEY out of every feed, archive, search and story, delete its page,
    and keep it out when a refresh reads it again. `feeder restore KEY` brings it back.

    Exit status: 0 removed (or already removed); 1 no item has that key; 3 failed."""
    done, site = _apply(config, lambda feeder: feeder.remove(key))
    if as_json:
        out.print_json(json.dumps(_json(site, done)))
    elif not done.changed:
        _line(f"{done.key} is already removed ({done.title})")
    else:
        story = f"; its story's entry is {done.story}" if done.story else ""
        _line(f"removed {done.key} ({done.title}) from every feed{story}")


def restore(key: KeyArgument, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Bring the removed item KEY back into the feeds, with its id and date, whether or
    not a source still lists it.

    Exit status: 0 restored; 1 no removed item has that key; 3 failed."""
    done, site = _apply(config, lambda feeder: feeder.restore(key))
    if as_json:
        out.print_json(json.dumps(_json(site, done)))
        return
    story = f", a report of the story {done.story}" if done.story else ""
    day = site.day_of(done.published).isoformat()
    _line(f"restored {done.key} ({done.title}), dated {day}{story}")


def _line(text: str) -> None:
    """One line, never wrapped or read as markup: titles may hold brackets."""
    out.print(text, highlight=False, markup=False, soft_wrap=True)


def _json(site: Site, done: Removal) -> dict[str, object]:
    return {
        "key": done.key,
        "title": done.title,
        "date": site.day_of(done.published).isoformat(),
        "published": done.published.isoformat(),
        "removed": done.removed,
        "changed": done.changed,
        "story": done.story,
    }


def _apply(config: Path | None, action: Callable[[Feeder], Removal]) -> tuple[Removal, Site]:
    """Run a removal or restore through the core, reporting what went wrong."""
    with open_feeder(config) as feeder:
        try:
            return action(feeder), feeder.site
        except RemovalError as exc:
            fail(f"error: {exc.args[0]}", EXIT_INPUT_FAILED)
        except StoreError as exc:
            fail(f"error: {exc}", EXIT_FATAL)
        except PublishError as exc:
            fail(f"error: stored, but publishing failed (a refresh retries): {exc}", EXIT_FATAL)
