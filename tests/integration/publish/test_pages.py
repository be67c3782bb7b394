"""The index, the OPML list and the item pages, read back with the standard parsers."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from conftest import SEED_ENTRIES, SEED_ITEMS, ManualClock, configure
from markupsafe import escape

from feeder import Settings, make_feeder
from feeder.model import Block, DateSource, ItemKind, Site, StoredItem
from feeder.publish.pages import describe_date, render_item_page, render_stylesheet


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.alternates: list[dict[str, str | None]] = []
        self.hrefs: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("rel") == "alternate":
            self.alternates.append(found)
        if tag == "a":
            self.hrefs.append(found.get("href"))


def test_index_lists_every_feed_with_counts_newest_date_and_three_formats(
    published: Path,
) -> None:
    links = _Links()
    page = (published / "index.html").read_text(encoding="utf-8")
    links.feed(page)
    assert len(links.alternates) == 3 * 16
    assert {
        "rel": "alternate",
        "type": "application/feed+json",
        "title": "CSTO news: NATO (JSON Feed)",
        "href": "http://127.0.0.1:8080/nato.json",
    } in links.alternates
    for fmt in ("atom", "rss", "json"):
        assert f"nato.{fmt}" in links.hrefs and f"all.{fmt}" in links.hrefs
    assert "feeds.opml" in links.hrefs
    assert '<a href="nato.html">NATO</a> <span class="meta">2 items · newest 2024-12-04</span>' in (
        page
    )
    assert '<a href="all.html">All news</a> <span class="meta">16 items · newest 2026-11-24' in page


def test_index_has_a_search_box_for_the_search_feed_and_the_latest_items(
    published: Path,
) -> None:
    page = (published / "index.html").read_text(encoding="utf-8")
    assert (
        '<form action="search.atom" method="get" role="search"><input type="search" name="q"'
        in (page)
    )
    latest = page.split("<h2>Latest items</h2>")[1]
    assert latest.count('<li><a href="items/') == SEED_ENTRIES
    assert "2024-12-04" in latest


@pytest.mark.parametrize("name", ["index.html", "nato.html", "all.html"])
def test_pages_need_no_scripts_or_outside_assets_and_fit_a_phone(
    published: Path, name: str
) -> None:
    page = (published / name).read_text(encoding="utf-8")
    assert "<script" not in page and " src=" not in page and "<style" not in page
    # One stylesheet, the site's own, relative: the page works wherever it is served.
    assert re.findall(r"<link rel=\"stylesheet\"[^>]*>", page) == [
        '<link rel="stylesheet" href="style.css">'
    ]
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page


def test_the_stylesheet_is_written_once_and_every_page_links_it(published: Path) -> None:
    css = (published / "style.css").read_text(encoding="utf-8")
    assert css == render_stylesheet().decode() and "@media (prefers-color-scheme:dark)" in css
    assert "url(" not in css and "@import" not in css  # nothing from outside
    item = next((published / "items").glob("*.html")).read_text(encoding="utf-8")
    assert '<link rel="stylesheet" href="../style.css">' in item and "<style" not in item


def test_feed_page_shows_what_a_feed_is_its_addresses_and_entries(published: Path) -> None:
    page = (published / "nato.html").read_text(encoding="utf-8")
    assert "This is a web feed." in page
    for fmt in ("atom", "rss", "json"):
        assert f'readonly value="http://127.0.0.1:8080/nato.{fmt}"' in page
    assert page.count("<article>") == 2
    assert '<time datetime="2024-12-04T00:00:00+00:00">2024-12-04</time>' in page
    assert '<a href="belarus.html">Belarus</a>' in page  # an entry's other topics
    assert "Older items" not in page  # two items: nothing archived yet
    # A topic's page shows its entries' summaries; the page of everything, the full text.
    assert "<h3>On the results of the CSTO CSC</h3>" not in page
    everything = (published / "all.html").read_text(encoding="utf-8")
    assert "<h3>On the results of the CSTO CSC</h3>" in everything


def test_a_feed_page_links_its_newest_archive_page(
    workdir: Path, load: Callable[[Path], Settings], clock: ManualClock
) -> None:
    configure(workdir, "feed_size = 4\n")
    settings = load(workdir)
    with make_feeder(settings, clock) as feeder:
        feeder.refresh()
    page = (settings.feeds_dir / "all.html").read_text(encoding="utf-8")
    newest = max(int(p.stem.split("-")[1]) for p in settings.feeds_dir.glob("archive/all/page-*"))
    assert f'<a href="archive/all/page-{newest}.atom">Older items' in page
    assert page.count("<article>") <= 4


def test_opml_lists_every_feed(published: Path) -> None:
    outlines = ET.parse(published / "feeds.opml").getroot().findall("./body/outline")
    assert len(outlines) == 16
    assert outlines[0].get("xmlUrl") == "http://127.0.0.1:8080/all.atom"


def test_each_item_has_a_permalink_page(published: Path) -> None:
    pages = sorted((published / "items").glob("*.html"))
    assert len(pages) == SEED_ITEMS  # every report has its page
    for entry in feedparser.parse(io.BytesIO((published / "all.atom").read_bytes())).entries:
        page = published / "items" / entry.link.rsplit("/", 1)[1]
        assert f"<h1>{escape(entry.title)}</h1>" in page.read_text(encoding="utf-8")


def stored(date_source: DateSource, published: datetime) -> StoredItem:
    return StoredItem(
        key="k",
        title="<Title>",
        blocks=(Block("h", "Sub"), Block("p", "A & B")),
        kind=ItemKind.ARTICLE,
        published=published,
        updated=published,
        first_seen=datetime(2026, 11, 24, 9, 30, tzinfo=UTC),
        date_source=date_source,
        author="Ann <ann@example.org>",
        topics=("nato",),
    )


def test_dates_on_pages_say_where_they_came_from_in_the_sites_zone() -> None:
    almaty = Site("S", "http://x/", "x,2026", ZoneInfo("Asia/Almaty"))
    midnight = datetime(2024, 10, 1, 19, tzinfo=UTC)  # 2 October in Almaty
    assert describe_date(almaty, stored(DateSource.EXPLICIT, midnight)) == "2024-10-02"
    assert describe_date(almaty, stored(DateSource.TEXT, midnight)) == (
        "2024-10-02 (date taken from the text)"
    )
    seen = stored(DateSource.FIRST_SEEN, datetime(2026, 11, 24, 9, 30, tzinfo=UTC))
    assert describe_date(almaty, seen) == "undated, first seen 2026-11-24 09:30 UTC"


def test_item_page_escapes_text_and_links_its_topic_feeds() -> None:
    page = render_item_page(
        Site("S", "http://x/", "x,2026"),
        stored(DateSource.EXPLICIT, datetime.now(UTC)),
        {"nato": "NATO"},
    ).decode()
    assert (
        "<h1>&lt;Title&gt;</h1>" in page and "<h2>Sub</h2>" in page and "<p>A &amp; B</p>" in page
    )
    assert "Ann &lt;ann@example.org&gt;" in page
    # Its topic's page (with the addresses in every format) and, for discovery, its
    # Atom feed; no button row per topic.
    assert '<a href="../nato.html">NATO</a>' in page
    links = _Links()
    links.feed(page)
    assert links.alternates == [
        {
            "rel": "alternate",
            "type": "application/atom+xml",
            "title": "NATO",
            "href": "../nato.atom",
        }
    ]
    assert 'class="button"' not in page


def test_item_page_says_why_it_is_in_each_topic() -> None:
    item = replace(stored(DateSource.EXPLICIT, datetime.now(UTC)), why={"nato": "title <NATO>"})
    page = render_item_page(Site("S", "http://x/", "x,2026"), item, {"nato": "NATO"}).decode()
    assert "<h2>Follow its topics</h2>" in page
    assert (
        '<li><a href="../nato.html">NATO</a> '
        '<span class="meta">why this topic: title &lt;NATO&gt;</span></li>'
    ) in page
