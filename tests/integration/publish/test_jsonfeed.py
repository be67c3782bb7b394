"""JSON Feed 1.1: checked against the specification's required fields and types
(jsonschema), and entry for entry against the Atom and RSS of the same feed as
feedparser reads them. feedparser itself has no JSON Feed parser (6.0.x)."""

from __future__ import annotations

import html
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import feedparser
import jsonschema
import pytest
from conftest import EXPECTED_TOPIC_COUNTS, SEED_ENTRIES

from feeder.model import Block, DateSource, FeedContent, ItemKind, Site, StoredItem
from feeder.publish import render_feed
from feeder.publish.document import SUMMARY_LENGTH

RFC3339 = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$"
_STRING = {"type": "string"}
_URL = {"type": "string", "pattern": "^https?://"}
_AUTHORS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"name": _STRING, "url": _URL, "avatar": _URL},
        "anyOf": [{"required": ["name"]}, {"required": ["url"]}, {"required": ["avatar"]}],
    },
}
# https://www.jsonfeed.org/version/1.1/ : what a feed and an item must and may carry.
JSON_FEED_1_1: dict[str, Any] = {
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": _STRING,
        "home_page_url": _URL,
        "feed_url": _URL,
        "description": _STRING,
        "authors": _AUTHORS,
        "language": _STRING,
        "expired": {"type": "boolean"},
        "hubs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "url"],
                "properties": {"type": _STRING, "url": _URL},
            },
        },
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
                "properties": {
                    "id": _STRING,
                    "url": _URL,
                    "title": _STRING,
                    "content_html": _STRING,
                    "content_text": _STRING,
                    "summary": _STRING,
                    "date_published": {"type": "string", "pattern": RFC3339},
                    "date_modified": {"type": "string", "pattern": RFC3339},
                    "authors": _AUTHORS,
                    "tags": {"type": "array", "items": _STRING},
                },
            },
        },
    },
}
SLUGS = ["all", *EXPECTED_TOPIC_COUNTS]


def read_json(path: Path) -> dict[str, Any]:
    feed = json.loads(path.read_bytes())
    jsonschema.validate(feed, JSON_FEED_1_1)
    return feed


def read_xml(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(io.BytesIO(path.read_bytes()))
    assert not parsed.bozo, f"{path.name}: {parsed.get('bozo_exception')}"
    return parsed


@pytest.mark.parametrize("slug", SLUGS)
def test_every_json_feed_meets_the_1_1_schema_with_the_same_count(
    published: Path, slug: str
) -> None:
    feed = read_json(published / f"{slug}.json")
    assert feed["feed_url"] == f"http://127.0.0.1:8080/{slug}.json"
    assert len(feed["items"]) == (SEED_ENTRIES if slug == "all" else EXPECTED_TOPIC_COUNTS[slug])


@pytest.mark.parametrize("slug", SLUGS)
def test_json_atom_and_rss_carry_the_same_ids_dates_titles_content_or_summary_and_tags(
    published: Path, slug: str
) -> None:
    items = read_json(published / f"{slug}.json")["items"]
    atom = read_xml(published / f"{slug}.atom").entries
    rss = read_xml(published / f"{slug}.rss").entries
    assert [i["id"] for i in items] == [e.id for e in atom] == [e.id for e in rss]
    for item, a, r in zip(items, atom, rss, strict=True):
        assert item["title"] == a.title == r.title
        published_at = datetime.fromisoformat(item["date_published"])
        assert published_at.timetuple()[:6] == a.published_parsed[:6] == r.published_parsed[:6]
        assert datetime.fromisoformat(item["date_modified"]).timetuple()[:6] == a.updated_parsed[:6]
        if slug == "all":  # the full text, and the lead as a summary
            assert item["content_html"] == a.content[0].value == r.content[0].value
            assert item["summary"] == a.summary
        else:  # a topic: the lead as the summary, no content (see carries_full_text)
            assert "content_html" not in item and "content" not in a and "content" not in r
            assert item["content_text"] == a.summary == html.unescape(r.summary)
            assert a.summary.endswith("…") or len(a.summary) <= SUMMARY_LENGTH
        atom_tags = [t.label or t.term for t in a.get("tags", [])]
        assert item.get("tags", []) == atom_tags == [t.term for t in r.get("tags", [])]
        assert item["url"] == a.link == r.link


def test_hubs_appear_only_with_a_hub() -> None:
    site = Site("S", "http://x/", "x,2026")
    moment = datetime.fromisoformat("2024-05-01T00:00:00+00:00")
    item = StoredItem(
        "k" * 24, "T", (Block("p", "Body"),), ItemKind.LISTING, moment, moment, moment,
        DateSource.EXPLICIT, None, (),
    )  # fmt: skip
    feed = FeedContent("all", "S", [item], 1)
    plain = json.loads(render_feed(site, feed, "json", {}))
    assert "hubs" not in plain and plain["items"][0]["content_html"] == "<p>Body</p>"
    hubbed = Site("S", "http://x/", "x,2026", hub="https://hub.example/")
    with_hub = json.loads(render_feed(hubbed, feed, "json", {}))
    jsonschema.validate(with_hub, JSON_FEED_1_1)
    assert with_hub["hubs"] == [{"type": "WebSub", "url": "https://hub.example/"}]
