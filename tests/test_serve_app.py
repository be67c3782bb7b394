"""The HTTP app in-process (httpx's ASGI transport): handler logic without a server,
on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os

import httpx
import pytest

from feeder import Feeder, make_feeder
from feeder.metrics import Metrics
from feeder.serve import PublishedFiles, StoredFeeds, make_app


@pytest.fixture
def database_url(each_database: str) -> str:
    return each_database


class AppClient:
    """Synchronous GETs against the ASGI app, in this process."""

    def __init__(self, feeder: Feeder) -> None:
        self.app = make_app(feeder, Metrics())

    def get(self, path: str) -> httpx.Response:
        async def fetch() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
                return await client.get(path)

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


def test_search_format_must_be_atom_or_rss(app_client: AppClient) -> None:
    assert app_client.get("/search.json?q=minsk").status_code == 404
    assert app_client.get("/search.rss?q=minsk").status_code == 200


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
