"""What a person with a browser sees where a feed reader gets a feed: a bad search
answers with the search page to correct it, and an archive URL with a readable page.
A real `feeder serve` on a loopback port, talked to with httpx."""

from __future__ import annotations

import html
import io
import shutil
from collections.abc import Iterator
from urllib.parse import quote

import feedparser
import httpx
import pytest
from conftest import SEEDS, configure
from markupsafe import escape
from service_process import ServiceProcess

# What Chromium and Firefox send for a page; what feed readers send.
CHROMIUM_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
FIREFOX_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
READER_ACCEPTS = [
    "*/*",
    "application/atom+xml,application/rss+xml;q=0.9,application/xml;q=0.8,*/*;q=0.5",
    "application/feed+json, application/json;q=0.9, */*;q=0.1",
]
SEARCH_BOX = '<input type="search" name="q" aria-label="Search the news"'


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    folder = tmp_path_factory.mktemp("browsed")
    shutil.copytree(SEEDS, folder / "seeds")
    configure(folder, "feed_size = 4\n")  # so every feed has archive pages of 2 entries
    with ServiceProcess(folder) as running:
        running.wait_for_log(r"refresh seeds: files 5 read")
        yield running


@pytest.fixture
def client(service: ServiceProcess) -> Iterator[httpx.Client]:
    with service.client() as http:
        yield http


@pytest.mark.parametrize("accept", [CHROMIUM_ACCEPT, FIREFOX_ACCEPT])
@pytest.mark.parametrize("fmt", ["atom", "rss", "json"])
def test_a_browser_with_a_bad_search_gets_the_search_page_to_correct_it(
    client: httpx.Client, accept: str, fmt: str
) -> None:
    typed = '"unclosed <b>quote'
    response = client.get(f"/search.{fmt}?q={quote(typed)}", headers={"accept": accept})
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["vary"] == "Accept, Accept-Encoding"
    page = response.text
    assert page.startswith("<!DOCTYPE html>") and "<b>" not in page
    assert "a double quote is not closed" in html.unescape(page)
    assert f'{SEARCH_BOX} value="{escape(typed)}"' in page


@pytest.mark.parametrize("query", ["q=AND", "q=a&limit=1000", "q="])
def test_the_search_page_url_explains_every_bad_request_as_a_page(
    client: httpx.Client, query: str
) -> None:
    response = client.get(f"/search.html?{query}")  # no Accept: the .html URL is a page
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/html")
    assert "This search cannot be run" in response.text and SEARCH_BOX in response.text


@pytest.mark.parametrize("accept", READER_ACCEPTS)
def test_a_feed_reader_with_a_bad_search_keeps_the_plain_text_400(
    client: httpx.Client, accept: str
) -> None:
    response = client.get("/search.atom?q=%22unclosed", headers={"accept": accept})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith("bad request: cannot search for")
    assert response.headers["vary"] == "Accept, Accept-Encoding"  # browsers get a page


def archives(service: ServiceProcess, slug: str) -> list[str]:
    folder = service.folder / "feeds" / "archive" / slug
    return sorted((path.name for path in folder.glob("page-*.atom")), key=lambda n: int(n[5:-5]))


@pytest.mark.parametrize("accept", [CHROMIUM_ACCEPT, FIREFOX_ACCEPT])
def test_a_browser_opening_an_archive_url_gets_a_page_of_its_entries(
    client: httpx.Client, service: ServiceProcess, accept: str
) -> None:
    first, second = archives(service, "exercises")[:2]
    url = f"/archive/exercises/{second}"
    atom = (service.folder / "feeds" / "archive" / "exercises" / second).read_bytes()
    entries = feedparser.parse(io.BytesIO(atom)).entries
    page = client.get(url, headers={"accept": accept})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["vary"] == "Accept, Accept-Encoding"
    text = page.text
    assert "<feed" not in text and text.count("<article>") == len(entries) >= 1
    for entry in entries:
        assert escape(entry.title) in text
    assert f'href="../../archive/exercises/{first}"' in text  # the page before, as a page again
    assert 'href="../../exercises.html"' in text  # the feed to subscribe to instead
    assert '<link rel="stylesheet" href="../../style.css">' in text  # the site's one
    for entry in entries:  # a topic's archive: title, time, topics and link; no text
        assert "content" not in entry and "summary" not in entry
        assert entry.link.rsplit("/", 1)[1] in text  # its item page
    again = client.get(url, headers={"accept": accept, "if-none-match": page.headers["etag"]})
    assert again.status_code == 304
    missing = client.get("/archive/exercises/page-99.atom", headers={"accept": accept})
    assert missing.status_code == 404
    moved = client.get("/archive/exercises/2024-12.atom", headers={"accept": accept})
    assert moved.status_code == 301  # a month archive of an earlier version: to the feed


@pytest.mark.parametrize("accept", READER_ACCEPTS)
def test_feed_readers_get_the_archive_document_itself(
    client: httpx.Client, service: ServiceProcess, accept: str
) -> None:
    name = archives(service, "all")[0]
    response = client.get(
        f"/archive/all/{name}", headers={"accept": accept, "accept-encoding": "identity"}
    )
    assert response.status_code == 200
    assert response.content == (service.folder / "feeds" / "archive" / "all" / name).read_bytes()
    assert response.headers["vary"] == "Accept, Accept-Encoding"


def test_the_page_and_the_document_of_an_archive_have_their_own_etags(
    client: httpx.Client, service: ServiceProcess
) -> None:
    url = f"/archive/all/{archives(service, 'all')[0]}"
    page = client.get(url, headers={"accept": CHROMIUM_ACCEPT})
    document = client.get(url, headers={"accept": "*/*"})
    assert page.headers["etag"] != document.headers["etag"]
    crossed = client.get(
        url, headers={"accept": CHROMIUM_ACCEPT, "if-none-match": document.headers["etag"]}
    )
    assert crossed.status_code == 200 and crossed.content == page.content


def test_every_page_links_the_one_stylesheet_served_as_css(
    client: httpx.Client, service: ServiceProcess
) -> None:
    css = client.get("/style.css", headers={"accept": CHROMIUM_ACCEPT})
    assert css.status_code == 200 and css.headers["content-type"] == "text/css; charset=utf-8"
    assert css.content == (service.folder / "feeds" / "style.css").read_bytes()
    again = client.get("/style.css", headers={"if-none-match": css.headers["etag"]})
    assert again.status_code == 304
    search = client.get("/search.atom?q=%22", headers={"accept": CHROMIUM_ACCEPT})
    assert '<link rel="stylesheet" href="style.css">' in search.text  # served at the root
    assert client.get("/items/style.css").status_code == 404
