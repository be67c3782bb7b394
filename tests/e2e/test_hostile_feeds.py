"""Every fixture of tests/hostile_feeds/ served over loopback HTTP as a `feed` source of
one `feeder refresh`: the refresh ends without a traceback, only the fixtures the
manifest expects to fail are named as errors, and every published document is valid
(well-formed, read by feedparser without complaint, URLs of RFC 3986 characters only,
no `</body></html>` leaked into a title)."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import feedparser
import pytest
from fixture_server import fixture_server, static

pytestmark = pytest.mark.slow

HOSTILE = Path(__file__).resolve().parents[1] / "hostile_feeds"
MANIFEST: dict[str, dict[str, Any]] = tomllib.loads(
    (HOSTILE / "manifest.toml").read_text(encoding="utf-8")
)
# RFC 3986's characters, and a `%` only as the start of an escape; ASCII by construction.
_URI = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
_URL_ATTRIBUTES = frozenset({"href", "src", "url", "xmlUrl", "htmlUrl"})
_URL_ELEMENTS = frozenset({"link", "id", "guid", "uri", "icon", "logo", "comments", "docs"})
_LEAK = "</body></html>"


def _source_name(fixture: str) -> str:
    return "h-" + re.sub(r"[^a-z0-9]+", "-", fixture.lower())


def _config(url: str) -> str:
    sources = "".join(
        f'\n[[sources]]\nname = "{_source_name(name)}"\ntype = "feed"\n'
        f'url = "{url}/{name}"\nallow_private_networks = true\n'
        for name in sorted(MANIFEST)
    )
    return "feed_size = 200\n" + sources


def _bad_uris(values: list[str]) -> list[str]:
    return [v for v in values if not _URI.fullmatch(v.strip())]


def _check_xml(path: Path) -> list[str]:
    """What is wrong with one published XML document (nothing: an empty list)."""
    data = path.read_bytes()
    root = ET.fromstring(data)  # raises on anything not well-formed
    problems, urls = [], []
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1]
        urls += [v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] in _URL_ATTRIBUTES]
        if local in _URL_ELEMENTS and element.text and element.text.strip():
            urls.append(element.text)
        if local == "title" and _LEAK in "".join(element.itertext()):
            problems.append(f"leaked wrapper in title {''.join(element.itertext())!r}")
    problems += [f"invalid URI {u!r}" for u in _bad_uris(urls)]
    if path.suffix in (".atom", ".rss"):
        parsed = feedparser.parse(data)
        if parsed.bozo:
            problems.append(f"feedparser: {parsed.bozo_exception!r}")
    return problems


def _check_json(path: Path) -> list[str]:
    document = json.loads(path.read_text(encoding="utf-8"))
    urls, titles = [], []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if isinstance(inner, str) and key.endswith("url"):
                    urls.append(inner)
                elif isinstance(inner, str) and key == "title":
                    titles.append(inner)
                else:
                    walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(document)
    leaks = [f"leaked wrapper in title {t!r}" for t in titles if _LEAK in t]
    return leaks + [f"invalid URI {u!r}" for u in _bad_uris(urls)]


def _check_html(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    urls = [html.unescape(v) for v in re.findall(r'\s(?:href|src)="([^"]*)"', text)]
    titles = re.findall(r"<title>(.*?)</title>", text, re.S)
    leaks = [f"leaked wrapper in title {t!r}" for t in titles if "&lt;/body&gt;" in t]
    return leaks + [f"invalid URI {u!r}" for u in _bad_uris(urls)]


def test_one_refresh_over_every_hostile_feed_publishes_only_valid_documents(
    tmp_path: Path,
) -> None:
    with fixture_server() as server:
        for name, spec in MANIFEST.items():
            body = (HOSTILE / name).read_bytes()
            server.routes[f"/{name}"] = static(body, content_type=spec["content_type"])
        (tmp_path / "feeder.toml").write_text(_config(server.url), encoding="utf-8")
        command = [sys.executable, "-m", "feeder", "refresh", "--json"]
        done = subprocess.run(
            [*command, "--config", str(tmp_path / "feeder.toml")],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    summary = json.loads(done.stdout)
    failing = {_source_name(n): s["error"] for n, s in MANIFEST.items() if "error" in s}
    assert done.returncode == (1 if failing else 0), done.stderr
    named = {e.split("'")[1]: e for e in summary["errors"]}  # "source 'name': ..."
    assert set(named) == set(failing), summary["errors"]
    assert all(failing[source] in error for source, error in named.items())

    feeds = tmp_path / "feeds"
    problems = {}
    for path in sorted(feeds.rglob("*")):
        if path.name.startswith(".") or not path.is_file():
            continue
        check = {".atom": _check_xml, ".rss": _check_xml, ".opml": _check_xml}.get(
            path.suffix, {".json": _check_json, ".html": _check_html}.get(path.suffix)
        )
        if check and (found := check(path)):
            problems[str(path.relative_to(feeds))] = found
    assert problems == {}

    published = {e.title for e in feedparser.parse((feeds / "all.atom").read_bytes()).entries}
    expected = {t for spec in MANIFEST.values() for t in spec.get("titles", [])}
    assert expected - published == set()
