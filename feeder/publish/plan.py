"""Whether a publish may render only what changed, or must render everything: a pure
decision over the marker `feeds/` keeps (what its files were last written from), the
output settings' fingerprint, and the feed versions. The marker is read and written
here, and nowhere else."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from feeder.config import Settings
from feeder.publish.files import write_if_changed
from feeder.publish.layout import MARKER
from feeder.topics import rules_fingerprint

# Bumped when the same items and settings render other bytes: the next refresh then
# rewrites every file, closed archives too (2: each entry's `updated` made distinct;
# 3: topic feeds carry summaries, pages link one stylesheet; 4: archives carry no
# summary beside the full text).
OUTPUT_FORMAT = 4


@dataclass(frozen=True)
class Marker:
    """What the files in `feeds/` were last written from, as recorded (any field may
    be missing or damaged: None, or a value of another type)."""

    fingerprint: Any = None  # of the output settings (`output_fingerprint`)
    versions: Any = None  # every feed's version
    through: Any = None  # the refresh whose items they show (ISO 8601)
    base_url: Any = None  # the address they were published under


def read_marker(feeds_dir: Path) -> Marker | None:
    """The marker of `feeds_dir`; None if there is none or it cannot be read."""
    try:
        recorded = json.loads((feeds_dir / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(recorded, dict):
        return None
    return Marker(
        recorded.get("settings"),
        recorded.get("versions"),
        recorded.get("through"),
        recorded.get("base_url"),
    )


def write_marker(
    feeds_dir: Path, fingerprint: str, versions: Mapping[str, int], through: datetime, base_url: str
) -> None:
    """Record what the files in `feeds_dir` were just written from."""
    marker = json.dumps({"settings": fingerprint, "versions": versions,
                         "through": through.isoformat(), "base_url": base_url})  # fmt: skip
    write_if_changed(feeds_dir / MARKER, marker.encode())


def output_fingerprint(settings: Settings) -> str:
    """Changes with every setting that shapes the output files, and with their format."""
    shape = [OUTPUT_FORMAT, settings.title, settings.base_url, settings.tag_authority,
             settings.timezone, settings.feed_size, settings.websub_hub,
             # The rules too: a rules change re-tags items without moving their times,
             # and archives and item pages must show the new topics and reasons.
             [[t.slug, t.title] for t in settings.topic_list()],
             rules_fingerprint(settings.topic_list())]  # fmt: skip
    return hashlib.sha256(json.dumps(shape).encode()).hexdigest()


@dataclass(frozen=True)
class FeedChanges:
    """What one transaction or refresh changed: feed versions before and after it,
    and its items."""

    before: Mapping[str, int]
    after: Mapping[str, int]
    keys: set[str] | None  # None: too many to list


@dataclass(frozen=True)
class PublishPlan:
    """What a publish renders."""

    feeds: frozenset[str] | None  # the feeds to render; None: every one
    items: frozenset[str] | None  # the items whose pages to render; None: every one
    new_output: bool  # the output settings changed: every archive page is written again
    touched: frozenset[str]  # items whose archived entries may have changed

    @property
    def nothing(self) -> bool:
        """Nothing changed since the files were written: nothing to render or read."""
        return self.feeds == frozenset() and self.items == frozenset()


def plan_publish(
    marker: Marker | None,
    fingerprint: str,
    versions: Mapping[str, int],
    changes: FeedChanges | None,
    files_present: bool,
) -> PublishPlan:
    """Only the feeds and item pages `changes` touched are rendered when the files
    were written from exactly the state `changes` started from (same output settings,
    the versions before), nobody else wrote since (`versions` are the versions after)
    and no feed file or archive was removed (`files_present`); otherwise (first run,
    new settings, another worker's changes, no `changes` known) all of them."""
    new_output = marker is None or marker.fingerprint != fingerprint
    touched = frozenset(changes.keys or ()) if changes is not None else frozenset()
    incremental = (
        changes is not None
        and not new_output
        and marker is not None
        and marker.versions == changes.before
        and versions == changes.after
        and files_present
    )
    if not incremental or changes is None:
        return PublishPlan(None, None, new_output, touched)
    feeds = frozenset(f for f in versions if versions[f] != changes.before.get(f))
    items = None if changes.keys is None else frozenset(changes.keys)
    return PublishPlan(feeds, items, new_output, touched)


def needs_catch_up(marker: Marker | None, fingerprint: str, versions: Mapping[str, int]) -> bool:
    """Whether `feeds/` lags behind the store (another worker wrote, or the output
    settings changed) when this worker itself changed nothing."""
    return marker is None or marker.fingerprint != fingerprint or marker.versions != versions
