"""The HTTP app in-process (httpx's ASGI transport): handler logic without a server."""

from __future__ import annotations

import asyncio
import os

import httpx
import pytest

from feeder import Feeder
from feeder.metrics import Metrics
from feeder.serve import PublishedFiles, make_app


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
