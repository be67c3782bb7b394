"""The HTTP app in-process (httpx's ASGI transport): handler logic without a server,
on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest

from feeder import Feeder, make_feeder
from feeder.web.app import make_app
from feeder.web.metrics import Metrics
from feeder.web.published import PublishedFiles
from feeder.web.stored_feeds import StoredFeeds


@pytest.fixture
def database_url(each_database: str) -> str:
    return each_database


class AppClient:
    """Synchronous GETs against the ASGI app, in this process."""

    def __init__(self, feeder: Feeder) -> None:
        self.app = make_app(feeder, Metrics())

    def get(self, path: str) -> httpx.Response:
        return self.request("GET", path)

    def get_with(self, path: str, headers: dict[str, str]) -> httpx.Response:
        return self.request("GET", path, headers)

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        async def fetch() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
                return await client.request(method, path, headers=headers)

        return asyncio.run(fetch())


@pytest.fixture
def app_client(feeder: Feeder, published) -> AppClient:  # type: ignore[no-untyped-def]
    return AppClient(feeder)


def test_root_is_the_index(app_client: AppClient, published) -> None:  # type: ignore[no-untyped-def]
    response = app_client.get("/")
    assert (
        response.status_code == 200 and response.content == (published / "index.html").read_bytes()
    )


def test_a_replaced_file_is_served_anew_with_a_new_etag(published, tmp_path) -> None:  # type: ignore[no-untyped-def]
    files = PublishedFiles(published)
    before = files.get("nato.atom")
    assert before is not None and files.get("nato.atom") is before  # cached while unchanged
    path = published / "nato.atom"
    data = path.read_bytes()
    stat = path.stat()
    path.write_bytes(data.replace(b"NATO", b"OTAN"))  # same size, new content
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    after = files.get("nato.atom")
    assert after is not None and after.identity.etag != before.identity.etag
    assert after.identity.body == path.read_bytes()


@pytest.mark.parametrize(
    "name", ["../feeder.db", "items/../../x", "nato.atom\n", "NATO.atom", "", "index.htm"]
)
def test_only_published_names_are_looked_up(published, name: str) -> None:  # type: ignore[no-untyped-def]
    assert PublishedFiles(published).get(name) is None


def test_without_a_monitor_health_lists_no_sources(app_client: AppClient) -> None:
    body = app_client.get("/health").json()
    assert body == {"items": 17, "sources": {}, "status": "ok"}


def test_search_comes_in_every_feed_format_and_as_a_page(app_client: AppClient) -> None:
    assert app_client.get("/search.opml?q=minsk").status_code == 404
    for fmt, media in [("atom", "application/atom+xml"), ("rss", "application/rss+xml"),
                       ("json", "application/feed+json"), ("html", "text/html")]:  # fmt: skip
        response = app_client.get(f"/search.{fmt}?q=minsk")
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)


# What browsers send when a feed link is clicked, and what feed readers send.
CHROMIUM_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
FIREFOX_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
READER_ACCEPTS = [
    "*/*",
    "application/atom+xml,application/rss+xml;q=0.9,application/xml;q=0.8,*/*;q=0.5",
    "application/rss+xml, application/rdf+xml;q=0.8, application/atom+xml;q=0.6, "
    "application/xml;q=0.4, text/xml;q=0.4, */*;q=0.2",
    "application/feed+json, application/json;q=0.9, */*;q=0.1",
    "text/html, */*",  # HTML no better than anything: the feed
    "text/html;q=0.5, application/xml, application/json",
]


@pytest.mark.parametrize("accept", [CHROMIUM_ACCEPT, FIREFOX_ACCEPT])
@pytest.mark.parametrize("fmt", ["atom", "rss", "json"])
def test_a_browser_opening_a_feed_url_gets_its_page_with_its_own_etag(
    app_client: AppClient, published, accept: str, fmt: str
) -> None:  # type: ignore[no-untyped-def]
    page = app_client.get_with(f"/nato.{fmt}", {"accept": accept})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.content == (published / "nato.html").read_bytes()
    assert page.headers["vary"] == "Accept, Accept-Encoding"
    feed = app_client.get_with(f"/nato.{fmt}", {"accept": "*/*"})
    assert feed.content == (published / f"nato.{fmt}").read_bytes()
    assert feed.headers["vary"] == "Accept, Accept-Encoding"
    assert page.headers["etag"] != feed.headers["etag"]
    again = app_client.get_with(
        f"/nato.{fmt}", {"accept": accept, "if-none-match": page.headers["etag"]}
    )
    assert again.status_code == 304
    crossed = app_client.get_with(
        f"/nato.{fmt}", {"accept": accept, "if-none-match": feed.headers["etag"]}
    )
    assert crossed.status_code == 200 and crossed.content == page.content


@pytest.mark.parametrize("accept", READER_ACCEPTS)
def test_feed_readers_get_the_feed_itself(app_client: AppClient, published, accept: str) -> None:  # type: ignore[no-untyped-def]
    for fmt in ("atom", "rss", "json"):
        response = app_client.get_with(f"/all.{fmt}", {"accept": accept})
        assert response.content == (published / f"all.{fmt}").read_bytes(), (fmt, accept)


def test_a_browser_searching_gets_a_results_page_to_subscribe_from(app_client: AppClient) -> None:
    response = app_client.get_with("/search.atom?q=minsk", {"accept": CHROMIUM_ACCEPT})
    assert response.headers["content-type"].startswith("text/html")
    assert 'value="http://127.0.0.1:8080/search.atom?q=minsk"' in response.text
    assert '<input type="search" name="q" aria-label="Search the news" value="minsk"' in (
        response.text
    )
    assert response.text.count("<article>") >= 1


def test_feeds_name_the_websub_hub_in_a_link_header(settings, clock) -> None:  # type: ignore[no-untyped-def]
    hubbed = settings.model_copy(update={"websub_hub": "https://hub.example/"})
    with make_feeder(hubbed, clock) as feeder:
        client = AppClient(feeder)
        for fmt in ("atom", "rss", "json"):
            response = client.get(f"/nato.{fmt}")
            assert response.headers["link"] == (
                f'<https://hub.example/>; rel="hub", <http://127.0.0.1:8080/nato.{fmt}>; rel="self"'
            )
        assert "link" not in client.get("/nato.html").headers


def test_a_hostile_search_is_shown_escaped(app_client: AppClient) -> None:
    hostile = '"<script>minsk</script>"'
    response = app_client.request("GET", f"/search.html?q={quote(hostile)}")
    assert response.status_code == 200
    assert "<script>" not in response.text
    assert 'value="&#34;&lt;script&gt;minsk&lt;/script&gt;&#34;"' in response.text


def test_archive_pages_and_feed_pages_are_served(settings, clock) -> None:  # type: ignore[no-untyped-def]
    with make_feeder(settings.model_copy(update={"feed_size": 4}), clock) as feeder:
        feeder.refresh()
        client = AppClient(feeder)
        published = settings.feeds_dir
        archive = client.get("/archive/all/page-1.atom")
        assert archive.status_code == 200
        assert archive.content == (published / "archive/all/page-1.atom").read_bytes()
        assert client.get("/archive/all/page-99.atom").status_code == 404
        assert client.get("/archive/all/page-0.atom").status_code == 404
        assert client.get("/archive/all/.pages.json").status_code == 404
        page = client.get("/nato.html")
        assert page.content == (published / "nato.html").read_bytes()
        assert page.headers["vary"] == "Accept-Encoding"


def test_month_archive_urls_of_earlier_versions_redirect_to_the_feed(
    app_client: AppClient,
) -> None:
    moved = app_client.get("/archive/nato/2024-12.atom")
    assert moved.status_code == 301
    assert moved.headers["location"] == "http://127.0.0.1:8080/nato.atom"
    assert app_client.get("/archive/no-such-feed/2024-12.atom").status_code == 404


def test_feeds_are_served_from_the_database_without_the_feeds_folder(
    app_client: AppClient, published
) -> None:  # type: ignore[no-untyped-def]
    written = (published / "nato.atom").read_bytes()
    (published / "nato.atom").unlink()  # a worker that never wrote feeds/
    response = app_client.get("/nato.atom")
    assert response.status_code == 200 and response.content == written
    assert app_client.get("/nosuchtopic.atom").status_code == 404


def test_every_worker_serves_the_same_bytes_and_etag(
    feeder: Feeder, settings, published, clock
) -> None:  # type: ignore[no-untyped-def]
    with make_feeder(settings, clock) as other_worker:
        first, second = AppClient(feeder), AppClient(other_worker)
        for path in ("/all.atom", "/belarus.rss", "/nato.atom"):
            a, b = first.get(path), second.get(path)
            assert (a.content, a.headers["etag"]) == (b.content, b.headers["etag"])
            assert a.headers.get("last-modified") == b.headers.get("last-modified")


def test_a_feed_is_rendered_again_only_when_its_version_moves(
    feeder: Feeder, settings, published, clock
) -> None:  # type: ignore[no-untyped-def]
    feeds = StoredFeeds(feeder)
    nato, belarus = feeds.get("nato.atom"), feeds.get("belarus.atom")
    untouched = feeds.get("kyrgyzstan.atom")
    assert nato is not None and feeds.get("nato.atom") is nato  # cached
    (settings.sources[0].path / "005_new.txt").write_text(
        "05.01.2025\n\nNATO observers visited Minsk.\n", encoding="utf-8"
    )
    clock.advance(hours=1)
    feeder.refresh()
    renewed = feeds.get("nato.atom")
    assert renewed is not None and renewed is not nato
    assert b"NATO observers visited Minsk" in renewed.identity.body
    assert renewed.identity.body == (published / "nato.atom").read_bytes()
    assert renewed.last_modified == clock.now.timestamp()
    assert feeds.get("belarus.atom") is not belarus  # the new item is in Belarus too
    assert feeds.get("kyrgyzstan.atom") is untouched  # not in it: still cached


@pytest.fixture
def statements(feeder: Feeder) -> Iterator[list[str]]:
    """The SQL statements the feeder's store runs while the test goes on."""
    with feeder.store.statements() as seen:
        yield seen


def test_a_feed_polled_again_is_answered_from_memory(
    app_client: AppClient, statements: list[str]
) -> None:
    first = app_client.get("/nato.atom")
    assert first.status_code == 200 and statements  # confirmed with the database
    statements.clear()
    again = app_client.get("/nato.atom")
    revalidated = app_client.get_with("/nato.atom", {"If-None-Match": first.headers["etag"]})
    head = app_client.request("HEAD", "/nato.atom")
    assert statements == []
    assert (again.content, again.headers["etag"]) == (first.content, first.headers["etag"])
    assert revalidated.status_code == 304 and revalidated.content == b""
    assert revalidated.headers["etag"] == first.headers["etag"]
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == first.headers["content-length"]
    assert head.headers["content-type"] == first.headers["content-type"]
    plain = app_client.get_with("/nato.atom", {"Accept-Encoding": "identity"})
    gzipped = app_client.get_with("/nato.atom", {"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert plain.headers["content-length"] == str(len(first.content))
    assert gzipped.headers["content-encoding"] == "gzip" and gzipped.content == first.content
    assert statements == []


def test_a_refresh_in_this_process_is_served_at_once(
    feeder: Feeder, settings, app_client: AppClient, clock
) -> None:  # type: ignore[no-untyped-def]
    before = app_client.get("/nato.atom")
    (settings.sources[0].path / "005_new.txt").write_text(
        "05.01.2025\n\nNATO observers visited Minsk.\n", encoding="utf-8"
    )
    clock.advance(hours=1)
    feeder.refresh()
    after = app_client.get("/nato.atom")
    assert after.headers["etag"] != before.headers["etag"]
    assert b"NATO observers visited Minsk" in after.content


def test_past_recheck_one_caller_confirms_while_the_others_keep_the_bytes(
    feeder: Feeder, published
) -> None:  # type: ignore[no-untyped-def]
    feeds = StoredFeeds(feeder, recheck=0.0)
    assert feeds.current("nato.atom") is None  # never rendered
    rendered = feeds.get("nato.atom")
    time.sleep(0.01)
    assert feeds.current("nato.atom") is None  # this caller goes to confirm
    assert feeds.current("nato.atom") is rendered  # the others meanwhile keep the bytes
    assert feeds.get("nato.atom") is rendered  # confirmed: the version has not moved
    time.sleep(0.01)
    assert feeds.current("nato.atom") is None  # the next recheck is due again


def test_a_feed_changed_by_another_process_is_served_after_recheck(
    feeder: Feeder, settings, published, clock
) -> None:  # type: ignore[no-untyped-def]
    feeds = StoredFeeds(feeder, recheck=0.0)
    before = feeds.get("nato.atom")
    (settings.sources[0].path / "005_new.txt").write_text(
        "05.01.2025\n\nNATO observers visited Minsk.\n", encoding="utf-8"
    )
    clock.advance(hours=1)
    with make_feeder(settings, clock) as other_process:
        other_process.refresh()
    time.sleep(0.01)
    assert feeds.current("nato.atom") is None
    after = feeds.get("nato.atom")
    assert after is not None and before is not None
    assert b"NATO observers visited Minsk" in after.identity.body


def test_after_a_refresh_here_one_caller_renders_while_the_others_keep_the_bytes(
    feeder: Feeder, settings, published, clock
) -> None:  # type: ignore[no-untyped-def]
    feeds = StoredFeeds(feeder)
    before = feeds.get("nato.atom")
    (settings.sources[0].path / "005_new.txt").write_text(
        "05.01.2025\n\nNATO observers visited Minsk.\n", encoding="utf-8"
    )
    clock.advance(hours=1)
    feeder.refresh()
    assert feeds.current("nato.atom") is None  # the first caller goes to render
    assert feeds.current("nato.atom") is before  # the others keep the old bytes meanwhile
    after = feeds.get("nato.atom")
    assert after is not None and after is not before
    assert feeds.current("nato.atom") is after  # rendered and confirmed: from memory again
