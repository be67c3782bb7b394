"""Content negotiation: browsers get a feed's HTML view, feed readers the feed."""

from __future__ import annotations

import pytest

from feeder.web.negotiation import negotiate, wants_html

CHROMIUM = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SAFARI = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("accept", [CHROMIUM, FIREFOX, SAFARI, "text/html"])
@pytest.mark.parametrize("fmt", ["atom", "rss", "json"])
def test_browsers_get_html(accept: str, fmt: str) -> None:
    assert wants_html(accept, fmt)


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("", "atom"),
        ("*/*", "atom"),
        ("text/html, */*", "rss"),  # a tie goes to the feed
        ("text/*", "atom"),  # no explicit HTML
        ("application/atom+xml, text/html;q=0.9", "atom"),
        ("application/rss+xml;q=0.8, application/atom+xml, */*;q=0.1", "rss"),
        ("application/feed+json, text/html;q=0.5", "json"),
        ("text/html;q=0, */*", "atom"),
        ("text/html;q=abc, */*", "atom"),  # an unreadable weight counts as 0
        ("TEXT/HTML;Q=0.5, APPLICATION/XML", "rss"),
    ],
)
def test_readers_and_ties_get_the_feed(accept: str, fmt: str) -> None:
    assert not wants_html(accept, fmt)


def test_only_feed_urls_are_negotiated() -> None:
    assert negotiate("nato.atom", CHROMIUM) == ("nato.html", True)
    assert negotiate("nato.json", "*/*") == ("nato.json", True)
    assert negotiate("nato.html", "*/*") == ("nato.html", False)
    assert negotiate("index.html", CHROMIUM) == ("index.html", False)
    assert negotiate("items/0123456789abcdef01234567.html", CHROMIUM)[1] is False
