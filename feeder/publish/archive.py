"""RFC 5005 archived feeds: each feed's items by calendar month, one complete Atom
document per month at `archive/<slug>/<YYYY-MM>.atom`, chained by `prev-archive` /
`next-archive` links from the newest month back to the first.

A month's document is rendered only when what it holds changed: its items' keys and
times, or its neighbours in the chain (a digest of these ends the document). Closed
months therefore keep their bytes (and ETags) for good unless an item in them is
edited, re-dated or removed, or the output settings change.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..model import FeedContent, ItemStamp, Site, StoredItem
from .atom_rss import render_atom_or_rss
from .document import archive_document
from .files import write_if_changed

# Per feed: the digest of each month, as last published (for people and tools; each
# document carries its own digest, which is what counts).
MANIFEST = ".periods.json"

# Loads a feed's items published in [start, end), newest first.
PeriodLoader = Callable[[datetime, datetime], list[StoredItem]]


@dataclass
class ArchiveResult:
    """What one `publish_archive` did with a feed's month documents."""

    written: int = 0
    unchanged: int = 0
    removed: int = 0


def period_digests(site: Site, stamps: Sequence[ItemStamp]) -> dict[str, str]:
    """Each period that has items, oldest first, with a digest of what its archive
    document holds: the items' keys and times and the neighbouring periods."""
    grouped: dict[str, list[tuple[str, float, float]]] = {}
    for stamp in stamps:
        grouped.setdefault(site.period_of(stamp.published), []).append(
            (stamp.key, stamp.published.timestamp(), stamp.updated.timestamp())
        )
    periods = sorted(grouped)
    digests = {}
    for index, period in enumerate(periods):
        before = periods[index - 1] if index else None
        after = periods[index + 1] if index + 1 < len(periods) else None
        shape = [before, after, sorted(grouped[period])]
        digests[period] = hashlib.sha256(json.dumps(shape).encode()).hexdigest()
    return digests


def archive_manifest(slug: str) -> str:
    """Where, below the feeds folder, a feed's archive records what it was made from."""
    return f"archive/{slug}/{MANIFEST}"


def _current(path: Path, digest: str) -> bool:
    """Whether the document at `path` was rendered from `digest` (it ends by saying so)."""
    try:
        with path.open("rb") as fh:
            fh.seek(max(0, fh.seek(0, 2) - 200))
            return _stamp(digest) in fh.read()
    except OSError:
        return False


def _stamp(digest: str) -> bytes:
    # The digest travels inside the document, so two workers writing one folder can
    # never leave a file that claims a digest it was not rendered from.
    return f"<!-- feeder archive {digest} -->\n".encode()


def publish_archive(
    site: Site,
    feed: FeedContent,
    stamps: Sequence[ItemStamp],
    load: PeriodLoader,
    topic_titles: Mapping[str, str],
    out_dir: Path,
    everything: bool = False,
) -> ArchiveResult:
    """Bring `feed`'s archive documents in line with `stamps` (every item of the feed).
    `everything` renders every month (the output settings changed); otherwise only the
    months whose items or neighbours changed since their document was written."""
    result = ArchiveResult()
    folder = out_dir / "archive" / feed.slug
    digests = period_digests(site, stamps)
    periods = list(digests)
    for index, period in enumerate(periods):
        path = folder / f"{period}.atom"
        if not everything and _current(path, digests[period]):
            result.unchanged += 1
            continue
        items = load(*site.period_bounds(period))
        neighbours = (
            periods[index - 1] if index else None,
            periods[index + 1] if index + 1 < len(periods) else None,
        )
        month = FeedContent(feed.slug, feed.title, items, len(items))
        doc = archive_document(site, month, period, neighbours, topic_titles)
        data = render_atom_or_rss(doc, "atom") + _stamp(digests[period])
        if write_if_changed(path, data):
            result.written += 1
        else:
            result.unchanged += 1
    if folder.is_dir():
        for stale in folder.glob("*.atom"):
            if stale.stem not in digests:
                stale.unlink(missing_ok=True)
                result.removed += 1
    # Written even for a feed with no items yet: it marks the archive as published.
    write_if_changed(folder / MANIFEST, json.dumps(digests, indent=0).encode())
    return result


def remove_stale_archives(out_dir: Path, slugs: set[str]) -> int:
    """Delete the archives of feeds no longer published (a topic was removed)."""
    removed = 0
    root = out_dir / "archive"
    if not root.is_dir():
        return 0
    for folder in root.iterdir():
        if folder.is_dir() and not folder.is_symlink() and folder.name not in slugs:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
