"""One small web feed with a flood of items (issue 18): a real loopback server serves
thousands of bare `<item><guid>N</guid></item>`; each fetch stores at most the
source's `max_new_items`, the next fetches take the rest, every feed document stays
bounded, and a reader walking `prev-archive` with feedparser finds every item once
while full archive pages keep their bytes."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from conftest import ManualClock
from fixture_server import FixtureServer, fixture_server, static

from feeder import Feeder, load_settings, make_feeder

BASE = "http://127.0.0.1:8080/"
START = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with fixture_server() as running:
        yield running


def bare_feed(count: int) -> bytes:
    items = b"".join(b"<item><guid>%d</guid></item>" % n for n in range(count))
    return b'<?xml version="1.0"?><rss version="2.0"><channel><title>Flood</title>' + (
        items + b"</channel></rss>"
    )


def flood_feeder(
    folder: Path, server: FixtureServer, clock: ManualClock, cap: int, feed_size: int,
    database_url: str | None = None,
) -> Feeder:  # fmt: skip
    database = f'database_url = "{database_url}"\n' if database_url else ""
    (folder / "feeder.toml").write_text(
        f"feed_size = {feed_size}\n{database}"
        f'[[sources]]\nname = "flood"\ntype = "feed"\nurl = "{server.url}/feed"\n'
        f"allow_private_networks = true\nmax_new_items = {cap}\n"
    )
    return make_feeder(load_settings(cwd=folder), clock)


def read(path: Path) -> feedparser.FeedParserDict:
    return feedparser.parse(io.BytesIO(path.read_bytes()))


def walk(feeds: Path, slug: str = "all") -> list[str]:
    """Every entry id from `<slug>.atom` back along prev-archive, repeats kept."""
    parsed = read(feeds / f"{slug}.atom")
    ids = [entry.id for entry in parsed.entries]
    url = next((ln.href for ln in parsed.feed.links if ln.rel == "prev-archive"), None)
    while url:
        parsed = read(feeds / url.removeprefix(BASE))
        assert not parsed.bozo
        ids += [entry.id for entry in parsed.entries]
        url = next((ln.href for ln in parsed.feed.links if ln.rel == "prev-archive"), None)
    return ids


def pages(feeds: Path) -> dict[str, tuple[int, bytes]]:
    return {
        p.name: (p.stat().st_mtime_ns, p.read_bytes())
        for p in (feeds / "archive" / "all").glob("page-*.atom")
    }


def flood_is_taken_in_bounded_batches(
    folder: Path, server: FixtureServer, clock: ManualClock, items: int, cap: int,
    feed_size: int, database_url: str | None = None,
) -> None:  # fmt: skip
    """The whole story of one flood: batches of `cap`, bounded documents, every item
    reachable once, full pages untouched by later batches, then quiet."""
    server.routes["/feed"] = static(bare_feed(items), etag='"flood"')
    feeds = folder / "feeds"
    month = feeds / "archive" / "all" / "2026-10.atom"  # left by an earlier version
    month.parent.mkdir(parents=True)
    month.write_text("<feed/>")
    with flood_feeder(folder, server, clock, cap, feed_size, database_url) as feeder:
        stored = 0
        while stored < items:
            before = pages(feeds)
            clock.advance(minutes=20)
            summary = feeder.refresh()
            batch = min(cap, items - stored)
            stored += batch
            assert summary.ok and summary.items_new == batch
            assert summary.items_deferred == items - stored
            assert any("max_new_items" in w for w in summary.warnings) == (stored < items)
            # Each poll after a cut-short one fetched the whole body again.
            assert "If-None-Match" not in server.requests_to("/feed")[-1].headers
            for view in ("atom", "rss"):
                assert len(read(feeds / f"all.{view}").entries) <= feed_size
            after = pages(feeds)
            assert {name: after[name] for name in before} == before  # full pages: same bytes
            assert summary.archives_written == len(set(after) - set(before))
        assert feeder.item_count() == items
        clock.advance(minutes=20)
        quiet = feeder.refresh()
        assert (quiet.items_new, quiet.items_deferred, quiet.fetches_unchanged) == (0, 0, 1)
        assert server.requests_to("/feed")[-1].headers.get("If-None-Match") == '"flood"'
        entries = feeder.feed("all").total  # stories: similar bare entries may be grouped
    ids = walk(feeds)
    assert len(ids) == len(set(ids)) == entries
    assert not month.exists()  # replaced by the pages; `feeder serve` redirects its URL
    # Bounded documents: a feed of `feed_size` bare entries is a few kilobytes each.
    for view in ("atom", "rss", "json", "html"):
        assert (feeds / f"all.{view}").stat().st_size < 2_000 * feed_size


def test_a_flood_is_stored_in_batches_and_published_in_bounded_documents(
    tmp_path: Path, server: FixtureServer, each_database: str
) -> None:
    flood_is_taken_in_bounded_batches(
        tmp_path,
        server,
        ManualClock(START),
        items=700,
        cap=300,
        feed_size=10,
        database_url=each_database,
    )


@pytest.mark.slow
def test_twenty_thousand_bare_items_in_one_feed_flood_nothing(
    tmp_path: Path, server: FixtureServer
) -> None:
    flood_is_taken_in_bounded_batches(
        tmp_path, server, ManualClock(START), items=20_000, cap=5_000, feed_size=50
    )
