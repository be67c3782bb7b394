"""The address `feeder serve` publishes under: the links in every feed, page and OPML
name the address readers reach the service at (--base-url, else the config file's
base_url, else the host and port it listens on). Real processes on loopback ports."""

from __future__ import annotations

import io
import re
import socket
import subprocess
import sys
from pathlib import Path

import feedparser
from conftest import configure
from service_process import ServiceProcess

from feeder import load_settings, make_feeder
from feeder.service.runner import listening_base_url, reader_base_url
from feeder.store import Store

DEFAULT_BASE = "http://127.0.0.1:8080/"


def published_urls(feeds: Path) -> set[str]:
    """Every http(s) site address named in the published files (feeds, pages, OPML,
    archives), up to the first path segment."""
    found: set[str] = set()
    for path in feeds.rglob("*"):
        if path.is_file() and path.suffix in (".atom", ".rss", ".json", ".html", ".opml"):
            found |= set(re.findall(r"https?://[^/\"'<\s]+/", path.read_text(encoding="utf-8")))
    return found


def test_serve_on_a_port_publishes_links_to_that_port_and_logs_where_to_subscribe(
    workdir: Path,
) -> None:
    with make_feeder(load_settings(cwd=workdir)) as feeder:
        feeder.refresh()  # as a one-shot refresh publishes: the default address
    assert DEFAULT_BASE in published_urls(workdir / "feeds")
    with ServiceProcess(workdir) as service, service.client() as client:
        service.wait_for_log(r"refresh seeds: files 0 read")
        url = service.url
        line = service.wait_for_log(r"INFO feeder\.service\.runner: feeds at .*")[0]
        assert line.endswith(f"feeds at {url} (subscribe to {url}all.atom)")
        feed = feedparser.parse(io.BytesIO(client.get("/all.atom").content))
        assert feed.feed.links[0].href == f"{url}all.atom"
        assert all(entry.link.startswith(f"{url}items/") for entry in feed.entries)
        page = client.get("/nato.html").text
        assert f'readonly value="{url}nato.json"' in page
        assert f'xmlUrl="{url}all.atom"' in client.get("/feeds.opml").text
        # The first refresh saw a new base_url: every file, archives too, was rewritten.
        after = published_urls(workdir / "feeds")
        assert DEFAULT_BASE not in after and url in after


def test_base_url_option_wins_over_the_config_file(workdir: Path) -> None:
    configure(workdir, 'base_url = "https://configured.example/"\n')
    with (
        ServiceProcess(workdir, "--base-url", "https://news.example.org/feeds") as service,
        service.client() as client,
    ):
        service.wait_for_log(r"refresh seeds: files 5 read")
        assert service.wait_for_log(
            r"feeds at https://news\.example\.org/feeds/ "
            r"\(subscribe to https://news\.example\.org/feeds/all\.atom\)"
        )
        feed = feedparser.parse(io.BytesIO(client.get("/nato.atom").content))
        assert feed.feed.links[0].href == "https://news.example.org/feeds/nato.atom"


def test_a_bad_base_url_option_exits_2_naming_it(workdir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "feeder", "serve", "--port", "0", "--base-url", "ftp://x/"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: --base-url: 'ftp://x/' is not an http(s) URL")


def test_the_address_of_a_listening_socket_as_readers_use_it() -> None:
    assert listening_base_url("127.0.0.1", 18457) == "http://127.0.0.1:18457/"
    assert listening_base_url("::1", 18457) == "http://[::1]:18457/"
    assert listening_base_url("news.example.org", 80) == "http://news.example.org/"
    # Every interface is no address to send a reader to: this machine's name is.
    assert listening_base_url("0.0.0.0", 8080) == f"http://{socket.gethostname()}:8080/"
    assert listening_base_url("::", 8080) == f"http://{socket.gethostname()}:8080/"


def test_workers_sharing_a_database_keep_one_address(
    workdir: Path, postgres_schema_url: str
) -> None:
    # Per-worker addresses would make workers answer one feed with different bytes.
    setup = Store(postgres_schema_url, check_schema=False)
    setup.upgrade_schema()
    setup.close()
    configure(workdir, f'database_url = "{postgres_schema_url}"\n')
    with make_feeder(load_settings(cwd=workdir)) as feeder:
        url, warning = reader_base_url(feeder, "127.0.0.1", 18457, None)
        assert url == DEFAULT_BASE and warning and "set base_url" in warning
        url, warning = reader_base_url(feeder, "127.0.0.1", 18457, "https://x.example")
        assert (url, warning) == ("https://x.example/", None)


def test_serving_every_interface_warns_to_set_the_address(workdir: Path) -> None:
    with make_feeder(load_settings(cwd=workdir)) as feeder:
        url, warning = reader_base_url(feeder, "0.0.0.0", 18457, None)
    assert url == f"http://{socket.gethostname()}:18457/"
    assert warning and "--base-url" in warning


def test_a_configured_base_url_is_kept_whatever_the_address(workdir: Path) -> None:
    configure(workdir, 'base_url = "https://configured.example"\n')
    with make_feeder(load_settings(cwd=workdir)) as feeder:
        for host in ("127.0.0.1", "0.0.0.0"):
            url, warning = reader_base_url(feeder, host, 18457, None)
            assert (url, warning) == ("https://configured.example/", None)
