"""Web sources end to end: feeder polls a real loopback HTTP server whose fixtures
the tests change between polls; the seed folder is a second source throughout."""

from __future__ import annotations

import io
import ipaddress
import json
import socket
import sqlite3
import threading
import time
import tracemalloc
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest
from conftest import ManualClock, configure, seed
from fixture_server import (
    FixtureServer,
    drip,
    fixture_server,
    gzip_bomb,
    hang,
    redirect,
    static,
)
from typer.testing import CliRunner

from feeder import Feeder, load_settings, make_feeder
from feeder.cli import app
from feeder.errors import FetchError
from feeder.service.health import health_report
from feeder.service.scheduler import Monitor
from feeder.sources.web import WebFetcher
from feeder.store import StoreError
from feeder.web.metrics import Metrics


def rss(*entries: tuple[str, str, str], extra: str = "") -> bytes:
    """RSS 2.0 with (guid, title, RFC 822 date) entries."""
    items = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>https://news.example/{guid}</link>"
        f"<pubDate>{day}</pubDate><author>press@news.example (Press Office)</author>"
        f"<category>Security</category><description>&lt;p&gt;{title} in detail.&lt;/p&gt;"
        f"&lt;p&gt;Second paragraph.&lt;/p&gt;</description></item>"
        for guid, title, day in entries
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{extra}<rss version="2.0"><channel>'
        f"<title>News</title><link>https://news.example/</link><description>d</description>"
        f"{items}</channel></rss>"
    ).encode()


ONE = ("n1", "CSTO ministers met in Minsk", "Mon, 02 Dec 2024 10:00:00 GMT")
TWO = ("n2", "Peacekeeping drills began in Kazakhstan", "Tue, 03 Dec 2024 09:30:00 GMT")
THREE = ("n3", "NATO activity discussed in Astana", "Wed, 04 Dec 2024 08:15:00 GMT")


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with fixture_server() as running:
        yield running


def web_feeder(workdir: Path, clock: ManualClock, sources: str, top: str = "") -> Feeder:
    configure(workdir, top, seeds=sources)
    return make_feeder(load_settings(cwd=workdir), clock)


def feed_source(server: FixtureServer, path: str = "/feed", name: str = "web", **keys: str) -> str:
    extra = "".join(f"{key} = {value}\n" for key, value in keys.items())
    return (
        f'\n[[sources]]\nname = "{name}"\ntype = "feed"\nurl = "{server.url}{path}"\n'
        f"allow_private_networks = true\n{extra}"
    )


def test_a_feed_source_gains_items_and_keeps_link_author_categories(
    workdir: Path, clock: ManualClock, server: FixtureServer
) -> None:
    server.routes["/feed"] = static(rss(ONE, TWO))
    with web_feeder(workdir, clock, feed_source(server)) as feeder:
        first = feeder.refresh()
        assert first.ok and first.items_new == 17 + 2
        server.routes["/feed"] = static(rss(THREE, ONE, TWO))
        second = feeder.refresh(sources=["web"])
        assert (second.items_new, second.items_unchanged) == (1, 2)
        newest = {i.title: i for i in feeder.items(limit=100)}["NATO activity discussed in Astana"]
    assert (
        newest.link == "https://news.example/n3"
        and newest.author == "press@news.example (Press Office)"
    )
    assert newest.categories == ("Security",) and "nato" in newest.topics
    assert newest.published.isoformat() == "2024-12-04T08:15:00+00:00"
    assert [b.text for b in newest.blocks] == [
        "NATO activity discussed in Astana in detail.",
        "Second paragraph.",
    ]
    entries = feedparser.parse(io.BytesIO((workdir / "feeds" / "nato.atom").read_bytes())).entries
    assert "https://news.example/n3" in {e.link for e in entries}


def test_resent_reordered_items_add_nothing(
    workdir: Path, clock: ManualClock, server: FixtureServer
) -> None:
    server.routes["/feed"] = static(rss(ONE, TWO, THREE))
    with web_feeder(workdir, clock, feed_source(server)) as feeder:
        feeder.refresh()
        server.routes["/feed"] = static(rss(THREE, ONE, TWO, extra="<!-- re-sent -->"))
        again = feeder.refresh(sources=["web"])
        assert (again.items_new, again.items_updated, again.items_unchanged) == (0, 0, 3)
        assert feeder.item_count() == 17 + 3


def test_etag_and_last_modified_are_sent_back_and_a_304_costs_nothing(
    workdir: Path, clock: ManualClock, server: FixtureServer
) -> None:
    modified = "Mon, 02 Dec 2024 10:00:00 GMT"
    server.routes["/feed"] = static(rss(ONE), etag='"v1"', last_modified=modified)
    with web_feeder(workdir, clock, feed_source(server)) as feeder:
        feeder.refresh()
        again = feeder.refresh(sources=["web"])
    second = server.requests_to("/feed")[1]
    assert (
        second.headers["If-None-Match"] == '"v1"'
        and second.headers["If-Modified-Since"] == modified
    )
    assert (again.fetches_unchanged, again.fetches, again.items_unchanged) == (1, 0, 0)
    assert server.seen[0].headers["User-Agent"].startswith("feeder/")


def test_an_unchanged_body_without_validators_is_not_parsed_again(
    workdir: Path, clock: ManualClock, server: FixtureServer
) -> None:
    server.routes["/feed"] = static(rss(ONE))
    with web_feeder(workdir, clock, feed_source(server)) as feeder:
        feeder.refresh()
        again = feeder.refresh(sources=["web"])
    assert (again.fetches_unchanged, again.items_unchanged) == (1, 0)


LISTING = """<html><body><div class="news">
<div class="news-item"><span class="date">02.10.2024</span>
  <a class="title" href="/news/1">In Kazakhstan, a joint training with the CSTO
  Peacekeeping Forces began</a>
  <p>Checkpoints, roadblocks and refugee reception points were practised.</p></div>
<div class="news-item"><span class="date">December 11, 2024</span>
  <a class="title" href="https://other.example/2">The Working Group on Afghanistan met in Moscow</a>
  <p>The 40th meeting of the group.</p></div>
</div></body></html>"""
ARTICLE = (
    "<html><body><article><h1>T</h1><p>Full text, first part.</p><p>Second part.</p>"
    "</article></body></html>"
)


def html_source(server: FixtureServer, follow: bool = False) -> str:
    return (
        f'\n[[sources]]\nname = "site"\ntype = "html"\nurl = "{server.url}/news/"\n'
        'allow_private_networks = true\nitem = ".news-item"\ntitle = ".title"\ndate = ".date"\n'
        f'link = "a.title"\nsummary = "p"\nfollow_links = {"true" if follow else "false"}\n'
    )


def test_an_html_listing_in_the_style_of_the_seed_site(
    workdir: Path, clock: ManualClock, server: FixtureServer
) -> None:
    server.routes["/news/"] = static(LISTING.encode(), content_type="text/html")
    server.routes["/news/1"] = static(ARTICLE.encode(), content_type="text/html")
    with web_feeder(workdir, clock, html_source(server, follow=True)) as feeder:
        summary = feeder.refresh(sources=["site"])
        assert summary.ok and summary.items_new == 2
        items = {i.title: i for i in feeder.items(limit=100)}
        feeder.refresh(sources=["site"])  # same page: the followed page is not fetched again
    kazakhstan = items["In Kazakhstan, a joint training with the CSTO Peacekeeping Forces began"]
    assert kazakhstan.published.date().isoformat() == "2024-10-02"
    assert kazakhstan.link == f"{server.url}/news/1"
    assert [b.text for b in kazakhstan.blocks] == ["T", "Full text, first part.", "Second part."]
    afghanistan = items["The Working Group on Afghanistan met in Moscow"]
    assert (
        afghanistan.published.date().isoformat() == "2024-12-11"
        and "afghanistan" in afghanistan.topics
    )
    assert len(server.requests_to("/news/1")) == 1


def test_selectors_that_match_nothing_are_an_error_and_keep_stored_items(
    workdir: Path, clock: ManualClock, server: FixtureServer
) -> None:
    server.routes["/news/"] = static(LISTING.encode(), content_type="text/html")
    with web_feeder(workdir, clock, html_source(server)) as feeder:
        feeder.refresh()
        server.routes["/news/"] = static(
            b"<html><body><p>Redesigned!</p></body></html>", "text/html"
        )
        broken = feeder.refresh(sources=["site"])
        assert broken.errors and "matched nothing" in broken.errors[0]
        assert feeder.item_count() == 17 + 2


def test_a_text_capture_on_the_web_reads_like_a_file(
    workdir: Path, clock: ManualClock, server: FixtureServer
) -> None:
    server.routes["/capture.txt"] = static(seed("004").read_bytes(), content_type="text/plain")
    source = (
        f'\n[[sources]]\nname = "text"\ntype = "text"\nurl = "{server.url}/capture.txt"\n'
        "allow_private_networks = true\n"
    )
    with web_feeder(workdir, clock, source) as feeder:
        summary = feeder.refresh()
        # Its five items are the folder's copy of 004: the same items, seen in two places,
        # each counted once (new), none as unchanged.
        assert summary.ok and summary.items_new == 17 and summary.items_unchanged == 0
        assert (summary.files_scanned, summary.fetches) == (5, 1)
        press = next(
            i
            for i in feeder.items(limit=50)
            if i.title.startswith("The CSTO Secretary General held")
        )
        assert feeder.store.sightings(press.key) == [
            ("seeds", seed("004").name),
            ("text", f"{server.url}/capture.txt"),
        ]


SMALL_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE z [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;">]><rss version="2.0"><channel><title>t</title>'
    b"<item><guid>s</guid><title>x &c; y</title></item></channel></rss>"
)
BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">'
        for n in range(1, 10)
    )
    + ']><rss version="2.0"><channel><title>&lol9;</title>'
    "<item><guid>b</guid><title>&lol9;</title></item></channel></rss>"
).encode()
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<rss version="2.0"><channel><title>t</title><item><guid>x</guid>'
    b"<title>leak &xxe; here</title></item></channel></rss>"
)


@pytest.mark.parametrize(
    ("route", "keys", "expected"),
    [
        (lambda: hang(30), {"timeout": '"2s"'}, "took longer than 2 s"),
        (lambda: drip(0.2), {"timeout": '"2s"'}, "took longer than 2 s"),
        (lambda: redirect("/feed"), {}, "more than 5 redirects"),
        (lambda: redirect("file:///etc/passwd"), {}, "non-http URL"),
        (lambda: static(b"x" * 2_000_000), {"max_bytes": "1000000"}, "larger than 1000000 bytes"),
        (lambda: gzip_bomb(200_000_000), {"max_bytes": "1000000"}, "larger than 1000000 bytes"),
        (lambda: static(b"oops", status=500, content_type="text/plain"), {}, "HTTP 500"),
        (
            lambda: static(b"<!DOCTYPE html><html><body>Error</body></html>", "text/html"),
            {},
            "not a feed",
        ),
        (
            lambda: static(b"<html><head><title>Not found</title></head></html>", "text/html"),
            {},
            "not a feed",
        ),
        (lambda: static(b"<rss><channel><title>broken</chanel></rss>"), {}, "malformed XML"),
        (lambda: static(rss(ONE, TWO)[:-40]), {}, "malformed XML"),
        (
            lambda: static(b'<?xml version="1.0"?><opml version="2.0"><body/></opml>'),
            {},
            "not a feed",
        ),
        (lambda: static(rss(("a", "x &#xD800; y", ONE[2]))), {}, "malformed XML"),
        (lambda: static(rss(("a", "x &#99999999999; y", ONE[2]))), {}, "malformed XML"),
        (lambda: static(b""), {}, "malformed XML"),
    ],
    ids=[
        "hang",
        "drip",
        "redirect-loop",
        "redirect-to-file",
        "oversize",
        "gzip-bomb",
        "http-500",
        "html-error-page",
        "html-page",
        "broken-xml",
        "truncated-xml",
        "not-a-feed-root",
        "surrogate-charref",
        "huge-charref",
        "empty",
    ],
)
def test_each_failure_is_a_clear_error_on_its_source_and_the_rest_publishes(
    workdir: Path, clock: ManualClock, server: FixtureServer, route, keys, expected: str
) -> None:
    server.routes["/feed"] = route()
    with web_feeder(workdir, clock, feed_source(server, **keys)) as feeder:
        started = time.monotonic()
        summary = feeder.refresh()
        elapsed = time.monotonic() - started
        assert [e for e in summary.errors if expected in e], summary.errors
        assert summary.errors[0].startswith(f"source 'web': {server.url}/feed")
        assert feeder.item_count() == 17  # the folder source still published
        assert feeder.source_statuses()["web"].failures == 1
    assert elapsed < 30  # bounded: nothing waits for the server to give up
    assert (workdir / "feeds" / "all.atom").exists()


def test_a_private_address_is_refused_without_opt_in(
    workdir: Path, clock: ManualClock, server: FixtureServer
) -> None:
    server.routes["/feed"] = static(rss(ONE))
    for host in ("127.0.0.1", "localhost"):
        url = server.url.replace("127.0.0.1", host)
        source = f'\n[[sources]]\nname = "web"\ntype = "feed"\nurl = "{url}/feed"\n'
        with web_feeder(workdir, clock, source) as feeder:
            summary = feeder.refresh()
        assert "refused" in summary.errors[0] and "allow_private_networks" in summary.errors[0]
    assert server.seen == []  # never connected


def test_the_global_opt_in_applies_to_every_web_source(
    workdir: Path, clock: ManualClock, server: FixtureServer
) -> None:
    server.routes["/feed"] = static(rss(ONE))
    source = f'\n[[sources]]\nname = "web"\ntype = "feed"\nurl = "{server.url}/feed"\n'
    with web_feeder(workdir, clock, source, top="allow_private_networks = true\n") as feeder:
        assert feeder.refresh().items_new == 18


def test_xxe_does_not_leak_local_files(
    workdir: Path, clock: ManualClock, server: FixtureServer
) -> None:
    server.routes["/feed"] = static(XXE)
    with web_feeder(workdir, clock, feed_source(server)) as feeder:
        feeder.refresh()
    with sqlite3.connect(workdir / "feeder.db") as db:
        stored = " ".join(row[0] + row[1] for row in db.execute("SELECT title, body FROM items"))
    assert "root:" not in stored
    assert "root:" not in (workdir / "feeds" / "all.atom").read_text(encoding="utf-8")


def test_an_entity_bomb_is_not_expanded(
    workdir: Path, clock: ManualClock, server: FixtureServer
) -> None:
    server.routes["/feed"] = static(BOMB)
    with web_feeder(workdir, clock, feed_source(server)) as feeder:
        started = time.monotonic()
        feeder.refresh()
        assert time.monotonic() - started < 30
        titles = [i.title for i in feeder.items(limit=100)]
    assert all(len(title) < 1000 for title in titles)
    assert "lollollol" not in " ".join(titles)


def test_a_huge_author_field_is_cut_not_choked_on(
    workdir: Path, clock: ManualClock, server: FixtureServer
) -> None:
    huge = rss(ONE).replace(b"press@news.example (Press Office)", b"a" * 1_000_000)
    server.routes["/feed"] = static(huge)
    with web_feeder(workdir, clock, feed_source(server)) as feeder:
        started = time.monotonic()
        summary = feeder.refresh(sources=["web"])
        assert time.monotonic() - started < 30  # feedparser's author regex is quadratic
        (item,) = feeder.items(limit=1)
    assert summary.ok and item.author is not None and len(item.author) <= 1000


def test_429_with_retry_after_pauses_the_source(
    workdir: Path, clock: ManualClock, server: FixtureServer
) -> None:
    server.routes["/feed"] = static(
        b"slow down", status=429, content_type="text/plain", headers={"Retry-After": "120"}
    )
    with web_feeder(workdir, clock, feed_source(server)) as feeder:
        first = feeder.refresh(sources=["web"])
        assert "HTTP 429 (Retry-After: 120)" in first.errors[0]
        server.routes["/feed"] = static(rss(ONE))
        paused = feeder.refresh(sources=["web"])  # clock has not moved: still paused
        assert paused.ok and any("not polled until" in w for w in paused.warnings)
        assert len(server.requests_to("/feed")) == 1
        clock.advance(seconds=121)
        resumed = feeder.refresh(sources=["web"])
        assert resumed.items_new == 1


def test_a_failing_source_keeps_its_items_and_recovers(
    workdir: Path, clock: ManualClock, server: FixtureServer
) -> None:
    server.routes["/feed"] = static(rss(ONE, TWO))
    with web_feeder(workdir, clock, feed_source(server)) as feeder:
        feeder.refresh()
        server.routes["/feed"] = static(b"down", status=503, content_type="text/plain")
        feeder.refresh(sources=["web"])
        feeder.refresh(sources=["web"])
        assert feeder.source_statuses()["web"].failures == 2 and feeder.item_count() == 19
        server.routes["/feed"] = static(rss(ONE, TWO, THREE))
        assert feeder.refresh(sources=["web"]).items_new == 1
        assert feeder.source_statuses()["web"].failures == 0


def test_titles_lose_markup_and_links_must_be_http(
    workdir: Path, clock: ManualClock, server: FixtureServer
) -> None:
    hostile = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><guid>h</guid>'
        b"<title>&lt;script&gt;alert(1)&lt;/script&gt;Summit &lt;b&gt;news&lt;/b&gt;</title>"
        b"<link>javascript:alert(1)</link></item></channel></rss>"
    )
    server.routes["/feed"] = static(hostile)
    with web_feeder(workdir, clock, feed_source(server)) as feeder:
        feeder.refresh(sources=["web"])
        (item,) = feeder.items(limit=1)
    assert "<" not in item.title and "Summit news" in item.title and item.link is None


def test_html_too_deep_to_read_whole_is_an_error_not_fewer_items(
    workdir: Path, clock: ManualClock, server: FixtureServer
) -> None:
    deep = "<div>" * 5000 + LISTING + "</div>" * 5000
    server.routes["/news/"] = static(deep.encode(), content_type="text/html")
    with web_feeder(workdir, clock, html_source(server)) as feeder:
        summary = feeder.refresh(sources=["site"])
    assert summary.errors and "too large or too deeply nested" in summary.errors[0]


def test_a_gzip_bomb_is_cut_without_inflating_it(server: FixtureServer) -> None:
    server.routes["/bomb"] = gzip_bomb(500_000_000)
    fetcher = WebFetcher("feeder-test")
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="larger than 1000000 bytes"):
            fetcher.fetch(
                f"{server.url}/bomb", max_bytes=1_000_000, deadline=30, allow_private=True
            )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        fetcher.close()
    assert peak < 50_000_000  # half a gigabyte inflated would not fit under this


def test_web_state_is_saved_only_with_the_items(
    workdir: Path, clock: ManualClock, server: FixtureServer
) -> None:
    server.routes["/feed"] = static(rss(ONE, TWO), etag='"v1"')
    with web_feeder(workdir, clock, feed_source(server)) as feeder:
        feeder.refresh()  # schema and folder items
        with sqlite3.connect(workdir / "feeder.db") as db:
            # As feeder's own connections do: an item's rows in other tables go with it
            # (else a reused row id would meet its predecessor's story signature).
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("DELETE FROM items WHERE kind = 'entry'")
            db.execute("DELETE FROM web_state")
            db.execute(
                "CREATE TRIGGER boom BEFORE INSERT ON items WHEN NEW.kind = 'entry' "
                "BEGIN SELECT RAISE(ABORT, 'crash while storing'); END"
            )
        with pytest.raises(StoreError):
            feeder.refresh(sources=["web"])
        with sqlite3.connect(workdir / "feeder.db") as db:
            assert db.execute("SELECT count(*) FROM web_state").fetchone() == (0,)
            db.execute("DROP TRIGGER boom")
        assert feeder.refresh(sources=["web"]).items_new == 2
    # The retry was a full fetch: the ETag of the failed attempt was never kept.
    assert "If-None-Match" not in server.requests_to("/feed")[-1].headers


def test_a_failing_web_source_backs_off_in_the_scheduler(
    workdir: Path, server: FixtureServer
) -> None:
    server.routes["/feed"] = static(b"down", status=500, content_type="text/plain")
    configure(workdir, "", seeds=feed_source(server, interval='"1s"'))
    with make_feeder(load_settings(cwd=workdir)) as feeder:
        monitor = Monitor(feeder, Metrics())
        monitor.start()
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and monitor.states["web"].current_interval < 4:
                time.sleep(0.05)
            assert monitor.states["web"].current_interval == 4  # 1 s, doubled twice
            health = {h.name: h for h in monitor.health()}
            assert health["web"].failures >= 2 and health["seeds"].failures == 0
            assert feeder.item_count() == 17  # the folder source published meanwhile
        finally:
            monitor.stop()


def test_two_feeds_may_use_the_same_guid(
    workdir: Path, clock: ManualClock, server: FixtureServer
) -> None:
    server.routes["/a"] = static(rss(("1", "First feed's story", ONE[2])))
    server.routes["/b"] = static(rss(("1", "Second feed's story", ONE[2])))
    sources = feed_source(server, "/a", "a") + feed_source(server, "/b", "b")
    with web_feeder(workdir, clock, sources) as feeder:
        summary = feeder.refresh(sources=["a", "b"])
        assert (summary.items_new, summary.items_updated) == (2, 0)


def test_feed_text_keeps_words_whole_and_decodes_html_entities(
    workdir: Path, clock: ManualClock, server: FixtureServer
) -> None:
    body = (
        b'<?xml version="1.0"?><rss version="0.91"><channel><title>t</title><item>'
        b"<title>Caf&eacute; talks in Minsk</title><link>/news/7</link>"
        b"<description>&lt;p&gt;Wo&lt;b&gt;rd&lt;/b&gt; one, &lt;i&gt;two&lt;/i&gt;.&lt;/p&gt;"
        b"&lt;p&gt;Next&lt;br&gt;line&lt;/p&gt;</description></item></channel></rss>"
    )
    server.routes["/feed"] = static(body)
    with web_feeder(workdir, clock, feed_source(server)) as feeder:
        feeder.refresh(sources=["web"])
        (item,) = feeder.items(limit=1)
    assert item.title == "Café talks in Minsk"
    assert [b.text for b in item.blocks] == ["Word one, two.", "Next", "line"]
    assert item.link == f"{server.url}/news/7"  # relative to the feed's address


def test_the_http_charset_decides_the_encoding(
    workdir: Path, clock: ManualClock, server: FixtureServer
) -> None:
    latin = (
        rss(("c", "Zürich summit", ONE[2]))
        .replace(b' encoding="utf-8"', b"")
        .decode()
        .encode("latin-1")
    )
    server.routes["/feed"] = static(latin, content_type="application/rss+xml; charset=ISO-8859-1")
    page = (
        '<html><body><div class="news-item"><a class="title">Zürich listing</a></div></body></html>'
    )
    server.routes["/news/"] = static(page.encode(), content_type="text/html")  # UTF-8, no charset
    source = feed_source(server) + (
        f'\n[[sources]]\nname = "site"\ntype = "html"\nurl = "{server.url}/news/"\n'
        'allow_private_networks = true\nitem = ".news-item"\ntitle = ".title"\n'
    )
    with web_feeder(workdir, clock, source) as feeder:
        summary = feeder.refresh(sources=["web", "site"])
        titles = {i.title for i in feeder.items(limit=10)}
    assert summary.ok and {"Zürich summit", "Zürich listing"} <= titles


def test_followed_pages_use_the_article_not_the_page_chrome_and_are_kept(
    workdir: Path, clock: ManualClock, server: FixtureServer
) -> None:
    chrome = (
        "<html><body><nav>Home | About</nav><article><p>The story.</p></article>"
        "<footer>(c)</footer></body></html>"
    )
    server.routes["/news/"] = static(LISTING.encode(), content_type="text/html")
    server.routes["/news/1"] = static(chrome.encode(), content_type="text/html")
    with web_feeder(workdir, clock, html_source(server, follow=True)) as feeder:
        feeder.refresh(sources=["site"])
        changed = LISTING.replace("were practised", "were practised again")
        server.routes["/news/"] = static(changed.encode(), content_type="text/html")
        again = feeder.refresh(sources=["site"])
        story = next(
            i for i in feeder.items(limit=50) if i.title.startswith("In Kazakhstan, a joint")
        )
    assert [b.text for b in story.blocks] == ["The story."]
    assert again.items_updated == 0


@pytest.mark.parametrize(
    ("status", "header"),
    [(503, "120"), (429, "Wed, 21 Oct 2099 07:28:00 GMT"), (429, "99999999999999999999")],
    ids=["503-seconds", "429-http-date", "429-absurd"],
)
def test_retry_after_in_every_form_pauses_at_most_a_day(
    workdir: Path, clock: ManualClock, server: FixtureServer, status: int, header: str
) -> None:
    server.routes["/feed"] = static(
        b"wait", status=status, content_type="text/plain", headers={"Retry-After": header}
    )
    with web_feeder(workdir, clock, feed_source(server)) as feeder:
        assert feeder.refresh(sources=["web"]).errors
        paused_until = feeder.web_state("web").retry_after
        assert paused_until is not None and clock.now < paused_until <= clock.now + timedelta(
            days=1
        )
        # A poll during the pause neither fetches nor counts as a success.
        feeder.refresh(sources=["web"])
        assert feeder.source_statuses()["web"].failures == 1
        assert len(server.requests_to("/feed")) == 1


def test_a_silent_tls_handshake_is_cut_at_the_deadline() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()
    fetcher = WebFetcher("feeder-test")
    try:
        started = time.monotonic()
        with pytest.raises(FetchError, match="took longer than 1 s"):
            fetcher.fetch(
                f"https://127.0.0.1:{port}/", max_bytes=1000, deadline=1, allow_private=True
            )
        assert time.monotonic() - started < 8  # the 10 s phase timeout did not decide it
    finally:
        fetcher.close()
        listener.close()
        for sock in accepted:
            sock.close()


def test_a_hanging_source_does_not_hold_up_another_refresh(
    workdir: Path, clock: ManualClock, server: FixtureServer
) -> None:
    server.routes["/feed"] = hang(20)
    with web_feeder(workdir, clock, feed_source(server, timeout='"10s"')) as feeder:
        feeder.refresh(sources=["seeds"])
        slow = threading.Thread(target=feeder.refresh, kwargs={"sources": ["web"]})
        slow.start()
        time.sleep(0.5)  # the web refresh is now waiting on the server
        started = time.monotonic()
        feeder.refresh(sources=["seeds"])
        assert time.monotonic() - started < 5  # not the 10 s the web source may take
        slow.join(30)


def test_status_and_health_show_back_off_and_pauses(
    workdir: Path, clock: ManualClock, server: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.routes["/feed"] = static(
        b"wait", status=429, content_type="text/plain", headers={"Retry-After": "3600"}
    )
    configure(workdir, "", seeds=feed_source(server, interval='"10m"'))
    monkeypatch.chdir(workdir)
    runner = CliRunner()
    runner.invoke(app, ["refresh", "-q"])
    assert runner.invoke(app, ["status"]).exit_code == 0
    web = json.loads(runner.invoke(app, ["status", "--json"]).stdout)["sources"]["web"]
    assert (web["failures"], web["next_interval_seconds"]) == (1, 1200)
    assert web["paused_until"] and "HTTP 429" in web["last_error"]
    with make_feeder(load_settings(cwd=workdir)) as feeder:
        monitor = Monitor(feeder, Metrics())
        _, body = health_report(monitor.health(), feeder.item_count(), feeder.now())
    assert (
        body["sources"]["web"]["paused_until"]
        and body["sources"]["web"]["consecutive_failures"] == 1
    )


def test_a_doctype_that_makes_feedparser_raise_is_harmless(
    workdir: Path, clock: ManualClock, server: FixtureServer
) -> None:
    # feedparser issue 599: an entity value like "C:\data" makes it raise.
    body = rss(ONE).replace(b"<rss", b'<!DOCTYPE rss [<!ENTITY path "C:\\data">]><rss', 1)
    server.routes["/feed"] = static(body)
    with web_feeder(workdir, clock, feed_source(server)) as feeder:
        summary = feeder.refresh(sources=["web"])
    assert summary.ok and summary.items_new == 1


def test_a_redirect_hop_to_a_private_address_is_refused(server: FixtureServer) -> None:
    # The address policy is the fetcher's seam: here 127.0.0.1 plays a public host and
    # ::1 a private one, so the first hop connects and the redirect must not.
    def public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return str(address) == "127.0.0.1"

    with fixture_server("::1") as private:
        private.routes["/secret"] = static(b"metadata")
        server.routes["/feed"] = redirect(f"{private.url}/secret")
        fetcher = WebFetcher("feeder-test", public=public)
        try:
            with pytest.raises(FetchError, match=r"refused: ::1 resolves to ::1"):
                fetcher.fetch(f"{server.url}/feed", max_bytes=10_000, deadline=10)
        finally:
            fetcher.close()
    assert len(server.requests_to("/feed")) == 1 and private.seen == []
