"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1) from a `FeedDocument`, with the
standard library: feedgen does not write JSON Feed."""

from __future__ import annotations

import json
from typing import Any

from feeder.publish.document import FeedDocument, FeedEntry

VERSION = "https://jsonfeed.org/version/1.1"


def _item(entry: FeedEntry) -> dict[str, Any]:
    """One JSON Feed item; optional members only when they have a value. An entry
    without content (a summary feed's) gives its summary as the text JSON Feed
    requires, once: as `content_text`, not also as `summary`."""
    item: dict[str, Any] = {"id": entry.id, "url": entry.url, "title": entry.title}
    if entry.content_html:
        item["content_html"] = entry.content_html
        if entry.summary:
            item["summary"] = entry.summary
    else:
        item["content_text"] = entry.summary
    item["date_published"] = (entry.published or entry.updated).isoformat()
    item["date_modified"] = entry.updated.isoformat()
    if entry.author:
        item["authors"] = [{"name": entry.author}]
    if entry.categories:
        # RSS carries a topic's title as its category; JSON Feed tags say the same.
        item["tags"] = [category.label for category in entry.categories]
    return item


def render_json_feed(doc: FeedDocument) -> bytes:
    """`doc` as JSON Feed 1.1 bytes (UTF-8), entries in its order."""
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": doc.title,
        "home_page_url": doc.home_url,
        "feed_url": doc.urls["json"],
        "description": doc.subtitle,
        "authors": [{"name": doc.author}],
        "language": "en",
    }
    if doc.hub:
        feed["hubs"] = [{"type": "WebSub", "url": doc.hub}]
    feed["items"] = [_item(entry) for entry in doc.entries]
    return (json.dumps(feed, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
