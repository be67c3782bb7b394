"""`feeder serve` judged by real clients on loopback: Debian's Chromium (headless)
loads the index, a feed URL and an item page; Debian's newsboat subscribes to every
feed and reloads across a refresh. Both are installed by `.ci/run`; a missing one
fails these tests, naming the package, rather than skipping them.

Set FEEDER_SCREENSHOTS to a folder to keep the three screenshots (the README's
come from here); they always go to the test's temporary folder too."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SEED_ENTRIES
from service_process import ServiceProcess

pytestmark = pytest.mark.slow

NEW_CAPTURE = "20.11.2026\n\nNATO observers visited Minsk in November.\n"
PNG = b"\x89PNG\r\n\x1a\n"


def installed(program: str, package: str) -> str:
    found = shutil.which(program)
    if found is None:
        pytest.fail(f"{program} is not installed: `apt-get install {package}` (.ci/run does)")
    return found


def chromium(tmp_path: Path, *args: str) -> str:
    """Run headless Chromium once; its standard output."""
    result = subprocess.run(
        [
            installed("chromium", "chromium"),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_browser_shows_the_index_a_feed_url_and_an_item_page(
    workdir: Path, tmp_path: Path
) -> None:
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with ServiceProcess(workdir) as service:
        service.wait_for_log(r"refresh seeds: files 5 read")
        index = chromium(tmp_path, "--dump-dom", service.url)
        assert "<h2>Latest items</h2>" in index
        assert index.count('class="button"') == 3 * 16
        assert '<form action="search.atom"' in index

        # A feed URL, as clicked: the browser's own Accept gets the readable page.
        feed = chromium(tmp_path, "--dump-dom", f"{service.url}nato.atom")
        assert "This is a web feed." in feed
        assert feed.count("<article>") == 2  # the two items about NATO
        assert f'value="{service.url}nato.json"' in feed  # the address it serves at
        assert "<entry" not in feed  # not the XML, not an XML viewer

        item_key = re.search(r'href="items/([0-9a-f]{24})\.html"', feed)  # a NATO item
        assert item_key is not None
        item_url = f"{service.url}items/{item_key[1]}.html"
        item = chromium(tmp_path, "--dump-dom", item_url)
        assert "<h2>Follow its topics</h2>" in item and 'href="../nato.html"' in item
        assert "why this topic: score" in item
        assert '<link rel="stylesheet" href="../style.css">' in item  # the site's one

        for name, url in [("index", service.url), ("feed", f"{service.url}nato.atom"),
                          ("item", item_url)]:  # fmt: skip
            path = shots / f"{name}.png"
            chromium(tmp_path, "--hide-scrollbars", "--window-size=412,915",
                     f"--screenshot={path}", url)  # fmt: skip
            assert path.read_bytes().startswith(PNG) and path.stat().st_size > 10_000
    if keep := os.environ.get("FEEDER_SCREENSHOTS"):
        for shot in shots.iterdir():
            shutil.copy(shot, Path(keep) / shot.name)


def newsboat(folder: Path, urls: list[str]) -> sqlite3.Connection:
    """Subscribe newsboat to `urls` and reload them all; its cache, opened."""
    (folder / "urls").write_text("".join(f"{url}\n" for url in urls))
    (folder / "config").write_text("")
    result = subprocess.run(
        [installed("newsboat", "newsboat"), "-u", "urls", "-c", "cache.db", "-C", "config",
         "-x", "reload"],
        cwd=folder, env={**os.environ, "HOME": str(folder)}, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return sqlite3.connect(folder / "cache.db")


def test_a_feed_reader_sees_exactly_the_new_items_as_unread_and_none_twice(
    workdir: Path, tmp_path: Path
) -> None:
    reader = tmp_path / "newsboat"
    reader.mkdir()
    with ServiceProcess(workdir) as service:
        service.wait_for_log(r"refresh seeds: files 5 read")
        with service.client() as client:
            slugs = re.findall(r'href="([a-z0-9-]+)\.atom"', client.get("/").text)
        assert len(slugs) == 16
        # Debian's newsboat (2.21) reads Atom and RSS; it has no JSON Feed parser.
        urls = [f"{service.url}{slug}.{fmt}" for slug in slugs for fmt in ("atom", "rss")]
        cache = newsboat(reader, urls)
        first = {guid for (guid,) in cache.execute("SELECT guid FROM rss_item")}
        assert len(first) == SEED_ENTRIES
        # Every entry reads as something, a topic feed's (a summary, no content) too.
        assert cache.execute("SELECT COUNT(*) FROM rss_item WHERE content = ''").fetchone() == (0,)
        # The reader reads everything, then closes.
        cache.execute("UPDATE rss_item SET unread = 0")
        cache.commit()
        cache.close()

        (workdir / "seeds" / "005_new.txt").write_text(NEW_CAPTURE)
        refreshed = subprocess.run(
            [sys.executable, "-m", "feeder", "refresh", "--json"],
            cwd=workdir, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert refreshed.returncode == 0, refreshed.stderr
        with service.client() as client:
            service.wait_until(lambda: "in November" in client.get("/all.atom").text)

        cache = newsboat(reader, urls)
        unread = cache.execute("SELECT guid, title FROM rss_item WHERE unread = 1").fetchall()
        assert [title for _, title in unread] == ["NATO observers visited Minsk in November."]
        assert unread[0][0] not in first
        twice = cache.execute(
            "SELECT feedurl, guid FROM rss_item GROUP BY feedurl, guid HAVING COUNT(*) > 1"
        ).fetchall()
        assert twice == []
        everywhere = cache.execute(
            "SELECT guid FROM rss_item GROUP BY guid HAVING COUNT(*) > 1"
        ).fetchall()
        assert everywhere == []
        assert cache.execute("SELECT COUNT(*) FROM rss_item").fetchone() == (SEED_ENTRIES + 1,)
        cache.close()
