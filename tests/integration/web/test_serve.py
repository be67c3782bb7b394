"""The HTTP service, end to end: a real `feeder serve` on an ephemeral loopback port,
talked to with httpx (and a raw socket where httpx would tidy a hostile path)."""

from __future__ import annotations

import gzip
import io
import shutil
import socket
import time
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import httpx
import pytest
from conftest import SEEDS, configure
from service_process import ServiceProcess

from feeder.web.conditional import not_modified, usable_last_modified
from feeder.web.negotiation import accepts_gzip


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    folder = tmp_path_factory.mktemp("served")
    shutil.copytree(SEEDS, folder / "seeds")
    configure(folder)
    with ServiceProcess(folder) as running:
        running.wait_for_log(r"refresh seeds: files 5 read")
        yield running


@pytest.fixture
def client(service: ServiceProcess) -> Iterator[httpx.Client]:
    with service.client() as http:
        yield http


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/nato.atom", "application/atom+xml; charset=utf-8"),
        ("/nato.rss", "application/rss+xml; charset=utf-8"),
        ("/all.atom", "application/atom+xml; charset=utf-8"),
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/feeds.opml", "text/x-opml; charset=utf-8"),
    ],
)
def test_published_files_are_served_with_their_content_type(client, path, media_type) -> None:
    response = client.get(path)
    assert response.status_code == 200 and response.headers["content-type"] == media_type
    assert response.headers["cache-control"].startswith("public, max-age=")


def test_served_feed_is_the_published_file_and_parses(client, service) -> None:
    response = client.get("/nato.atom", headers={"accept-encoding": "identity"})
    assert response.content == (service.folder / "feeds" / "nato.atom").read_bytes()
    parsed = feedparser.parse(io.BytesIO(response.content))
    assert not parsed.bozo and len(parsed.entries) == 2


def test_item_pages_are_served(client) -> None:
    entry = feedparser.parse(io.BytesIO(client.get("/all.atom").content)).entries[0]
    page = client.get(urlsplit(entry.link).path)
    assert page.status_code == 200 and "<h1>" in page.text


def test_etag_and_last_modified_answer_304_without_a_body(client, service) -> None:
    age = time.time() - (service.folder / "feeds" / "nato.atom").stat().st_mtime
    time.sleep(max(0.0, 1.1 - age))  # Last-Modified is withheld within a file's first second
    first = client.get("/nato.atom", headers={"accept-encoding": "identity"})
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and not etag.startswith('"W/')
    again = client.get("/nato.atom", headers={"if-none-match": etag, "accept-encoding": "identity"})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    since = client.get(
        "/nato.atom", headers={"if-modified-since": modified, "accept-encoding": "identity"}
    )
    assert since.status_code == 304
    stale = client.get(
        "/nato.atom", headers={"if-none-match": '"other"', "accept-encoding": "identity"}
    )
    assert stale.status_code == 200 and stale.content == first.content


def test_gzip_when_asked_with_its_own_etag(client) -> None:
    plain = client.get("/all.atom", headers={"accept-encoding": "identity"})
    packed = client.get("/all.atom", headers={"accept-encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert packed.content == plain.content  # httpx decodes it
    assert int(packed.headers["content-length"]) < len(plain.content)
    assert packed.headers["etag"] != plain.headers["etag"]
    assert packed.headers["vary"] == "Accept, Accept-Encoding"  # browsers get HTML


def test_head_gives_the_headers_of_get(client) -> None:
    head = client.head("/nato.rss", headers={"accept-encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(client.get("/nato.rss").content)


@pytest.mark.parametrize(
    "path", ["/nope.atom", "/nato.xml", "/feeder.db", "/items/zzz.html", "/seeds/"]
)
def test_unknown_paths_are_404(client, path) -> None:
    assert client.get(path).status_code == 404


def raw_get(service: ServiceProcess, target: str) -> tuple[int, bytes]:
    """Send the request target exactly as written (httpx would normalise `..`)."""
    host, port = urlsplit(service.url).hostname, urlsplit(service.url).port
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


@pytest.mark.parametrize(
    "target",
    [
        "/../feeder.db",
        "/%2e%2e/feeder.db",
        "/items/../../feeder.db",
        "/items/..%2f..%2ffeeder.db",
        "//etc/passwd",
        "/..%5cfeeder.db",
        "/feeds/../feeder.toml",
        "/%2Fetc%2Fpasswd",
    ],
)
def test_paths_outside_feeds_are_never_served(service, target) -> None:
    status, body = raw_get(service, target)
    assert status in (400, 404) and b"SQLite" not in body and b"root:" not in body


def test_search_feed_lists_matches_newest_first(client) -> None:
    response = client.get("/search.atom", params={"q": "Rossiya Segodnya"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(io.BytesIO(response.content))
    assert not parsed.bozo
    assert [e.title for e in parsed.entries] == [
        "The CSTO Secretary General held press conference at the “Rossiya Segodnya” news agency"
    ]
    rss = feedparser.parse(
        io.BytesIO(client.get("/search.rss", params={"q": "peacekeep*"}).content)
    )
    dates = [e.published_parsed for e in rss.entries]
    assert not rss.bozo and len(dates) >= 5 and dates == sorted(dates, reverse=True)


def test_search_limit_and_self_link(client) -> None:
    parsed = feedparser.parse(io.BytesIO(client.get("/search.atom?q=CSTO&limit=3").content))
    assert len(parsed.entries) == 3
    assert any(
        link.rel == "self" and link.href.endswith("search.atom?q=CSTO")
        for link in parsed.feed.links
    )


@pytest.mark.parametrize(
    "query",
    [
        "q=%22unterminated",
        "q=",
        "q=AND",
        "q=nosuchcolumn:x",
        "q=a&limit=0",
        "q=a&limit=many",
        "q=a&limit=1000",
        "x=1",
    ],
)
def test_bad_search_queries_are_400_with_a_readable_message(client, query) -> None:
    response = client.get(f"/search.atom?{query}")
    assert response.status_code == 400
    assert response.text.startswith("bad request: ") and "Traceback" not in response.text


def test_health_reports_each_source(client) -> None:
    response = client.get("/health")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok" and body["items"] == 17
    seeds = body["sources"]["seeds"]
    assert seeds["consecutive_failures"] == 0 and seeds["last_success"] and seeds["next_run"]


def test_metrics_are_prometheus_text(client) -> None:
    client.get("/nope.atom")
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'feeder_refresh_runs_total{result="ok",source="seeds"}' in text
    assert 'feeder_items_ingested_total{change="new",source="seeds"} 17.0' in text
    assert 'feeder_http_requests_total{status="404"}' in text
    assert "feeder_refresh_duration_seconds_bucket" in text


def test_conditional_rules_follow_rfc_9110() -> None:
    etag, modified, now = '"abc"', 1_700_000_000.0, 1_700_000_600.0
    assert not_modified({"if-none-match": '"x", W/"abc"'}, etag, modified, now)
    assert not_modified({"if-none-match": "*"}, etag, modified, now)
    # If-None-Match wins: a stale tag means a full answer whatever the date says.
    later = formatdate(modified + 60, usegmt=True)
    assert not not_modified(
        {"if-none-match": '"x"', "if-modified-since": later}, etag, modified, now
    )
    assert not_modified(
        {"if-modified-since": formatdate(modified, usegmt=True)}, etag, modified, now
    )
    assert not not_modified(
        {"if-modified-since": formatdate(modified - 1, usegmt=True)}, etag, modified, now
    )
    assert not not_modified({"if-modified-since": "yesterday-ish"}, etag, modified, now)
    # A date in the future is ignored, and so is any date without a Last-Modified.
    future = formatdate(now + 3600, usegmt=True)
    assert not not_modified({"if-modified-since": future}, etag, modified, now)
    assert not not_modified({"if-modified-since": later}, etag, None, now)


def test_a_file_changed_within_the_current_second_has_no_last_modified() -> None:
    assert usable_last_modified(100.0, 100.5) is None
    assert usable_last_modified(100.0, 101.0) == 100.0
    assert usable_last_modified(None, 101.0) is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.5", True),
        ("gzip;q=0", False),
        ("GZIP;Q=0", False),
        ("identity", False),
        ("*", True),
        ("*;q=0, gzip", True),
        ("gzip;q=0, *", False),
        ("", False),
        ("gzip;q=oops", False),
        ("gzip ; q=0.3", True),
    ],
)
def test_accept_encoding_parsing(header: str, expected: bool) -> None:
    assert accepts_gzip(header) is expected


def test_a_trailing_newline_in_the_path_is_not_the_file(service) -> None:
    assert raw_get(service, "/nato.atom%0a")[0] == 404
    assert raw_get(service, "/nato.atom")[0] == 200


def test_health_is_never_cached(client) -> None:
    assert client.get("/health").headers["cache-control"] == "no-store"


def test_search_has_an_etag_but_no_last_modified(client) -> None:
    response = client.get("/search.atom?q=Minsk")
    assert response.headers["etag"] and "last-modified" not in response.headers
    again = client.get("/search.atom?q=Minsk", headers={"if-none-match": response.headers["etag"]})
    assert again.status_code == 304


def test_gzip_body_is_valid_gzip_of_the_file(service) -> None:
    with (
        httpx.Client(base_url=service.url) as raw,
        raw.stream("GET", "/all.rss", headers={"accept-encoding": "gzip"}) as response,
    ):
        packed = b"".join(response.iter_raw())
    assert gzip.decompress(packed) == (Path(service.folder) / "feeds" / "all.rss").read_bytes()
