"""RFC 5005 archived feeds: each feed's older entries in pages of a fixed size, closed
as items arrive, at `archive/<slug>/page-<n>.atom` (1 = oldest), each linking to the
page before (`prev-archive`) and to the feed (`current`). Which item sits on which
page is decided in `chain`; the keys of each page are recorded in
`archive/<slug>/.pages.json`, so pages keep their items however the feed grows.

A page is rendered only when what it holds changed: its items' keys and times (a
digest of these ends the document). A full page therefore keeps its bytes (and ETag)
while items arrive, and changes only when an item on it is edited, re-dated, removed
or leaves the feed, or the output settings change.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from feeder.model import FeedContent, Site
from feeder.publish.archive_walk import (
    ItemLoader,
    PageToRender,
    pages_in_walk_order,
)
from feeder.publish.atom_rss import RenderedEntries, render_atom_spliced
from feeder.publish.chain import Chain, load_recorded, page_digest
from feeder.publish.document import archive_document
from feeder.publish.files import write_if_changed
from feeder.publish.layout import (
    ARCHIVE,
    ARCHIVE_MANIFEST,
    ARCHIVE_PAGE,
    LEGACY_ARCHIVE_MANIFEST,
    LEGACY_ARCHIVE_PAGE,
    archive_folder,
    archive_manifest,
    archive_page_name,
)


@dataclass
class ArchiveResult:
    """What one `publish_archive` did with a feed's archive pages."""

    written: int = 0
    unchanged: int = 0
    removed: int = 0


def recorded_pages(out_dir: Path, slug: str) -> list[list[str]]:
    """The keys of each page last published for feed `slug` ([] if none or unreadable)."""
    try:
        return load_recorded(json.loads((out_dir / archive_manifest(slug)).read_text("utf-8")))
    except (OSError, ValueError):
        return []


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
    chain: Chain,
    load: ItemLoader,
    topic_titles: Mapping[str, str],
    out_dir: Path,
    everything: bool = False,
    touched: Collection[str] = (),
) -> ArchiveResult:
    """Bring one feed's archive pages in line with its chain (see `publish_archives`)."""
    results = publish_archives(
        site, [(feed, chain)], load, topic_titles, out_dir, everything, touched
    )
    return results[feed.slug]


def publish_archives(
    site: Site,
    feeds: Sequence[tuple[FeedContent, Chain]],
    load: ItemLoader,
    topic_titles: Mapping[str, str],
    out_dir: Path,
    everything: bool = False,
    touched: Collection[str] = (),
) -> dict[str, ArchiveResult]:
    """Bring each feed's archive pages in line with its chain, and say what was done
    per feed. `everything` renders every page (the output settings changed);
    otherwise only those whose items changed since they were written, and those
    holding a `touched` item (its story's other reports changed: a page's digest
    covers its entries' keys and times, not their content). The items are read once,
    oldest first, and each entry rendered once for every page holding it (see
    `archive_walk`). Each feed's page keys are recorded after its pages."""
    results = {feed.slug: ArchiveResult() for feed, _ in feeds}
    pages: list[PageToRender] = []
    for feed, chain in feeds:
        folder = out_dir / archive_folder(feed.slug)
        for number, stamps in enumerate(chain.pages, start=1):
            path = folder / archive_page_name(number)
            digest = page_digest(number, stamps)
            renew = everything or any(stamp.key in touched for stamp in stamps)
            if not renew and _current(path, digest):
                results[feed.slug].unchanged += 1
            else:
                pages.append(PageToRender(feed, number, stamps, path, digest))
    entries = RenderedEntries()
    for page, items in pages_in_walk_order(pages, load):
        content = FeedContent(page.feed.slug, page.feed.title, items, len(items))
        document = archive_document(site, content, page.number, topic_titles)
        data = render_atom_spliced(document, entries)
        if write_if_changed(page.path, data + b"\n" + _stamp(page.digest)):
            results[page.feed.slug].written += 1
        else:
            results[page.feed.slug].unchanged += 1
    for feed, chain in feeds:
        folder = out_dir / archive_folder(feed.slug)
        results[feed.slug].removed = _remove_stale(folder, len(chain.pages))
        # Written even for a feed with no pages yet: it marks the archive as published.
        data = json.dumps(chain.recorded, separators=(",", ":")).encode()
        write_if_changed(folder / ARCHIVE_MANIFEST, data)
    return results


def _remove_stale(folder: Path, pages: int) -> int:
    """Delete pages past the last one (a damaged record was planned afresh) and what
    the monthly archives of feeder 0.x left (`feeder serve` redirects their URLs to
    the feed)."""
    removed = 0
    if not folder.is_dir():
        return 0
    for path in folder.iterdir():
        if match := ARCHIVE_PAGE.fullmatch(path.name):
            stale = int(match["page"]) > pages
        else:
            legacy = LEGACY_ARCHIVE_PAGE.fullmatch(path.name)
            stale = legacy is not None or path.name == LEGACY_ARCHIVE_MANIFEST
        if stale and path.is_file():
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def remove_stale_archives(out_dir: Path, slugs: set[str]) -> int:
    """Delete the archives of feeds no longer published (a topic was removed)."""
    removed = 0
    root = out_dir / ARCHIVE
    if not root.is_dir():
        return 0
    for folder in root.iterdir():
        if folder.is_dir() and not folder.is_symlink() and folder.name not in slugs:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
