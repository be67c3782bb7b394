"""What the refresh asks the store to write, as plain data: the writer executes these
intents and builds every column from them, so no caller spells a column name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from feeder.model import ParsedItem


@dataclass(frozen=True)
class NewItem:
    """Store an item read for the first time."""

    item: ParsedItem
    published: datetime
    updated: datetime
    first_seen: datetime
    tags: Mapping[str, str] | None = None  # its own topics (slug -> why); None: not tagged


@dataclass(frozen=True)
class ItemEdit:
    """Rewrite a stored item with the version read now."""

    item_id: int
    item: ParsedItem
    published: datetime
    updated: datetime
    tags: Mapping[str, str] | None = None  # its own topics anew; None: leave them


@dataclass(frozen=True)
class NewSighting:
    """An item was seen at `place` (a file's path or a page's URL) of `source`."""

    item_id: int
    source: str
    place: str
    seen: datetime
