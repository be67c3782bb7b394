"""parse_feed and parse_listing on hostile input: the fixtures of tests/hostile_feeds/
(their manifest states what each must give), charsets, text fields and links."""

from __future__ import annotations

import codecs
import contextlib
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeder.model import ListingSelectors
from feeder.parse import ParseError
from feeder.parse.feed import parse_feed
from feeder.parse.html import charset_of, parse_listing
from feeder.parse.text import field_line

HOSTILE = Path(__file__).resolve().parents[2] / "hostile_feeds"
MANIFEST: dict[str, dict[str, Any]] = tomllib.loads(
    (HOSTILE / "manifest.toml").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_each_hostile_feed_gives_what_its_manifest_states(name: str) -> None:
    spec = MANIFEST[name]
    data = (HOSTILE / name).read_bytes()
    charset = charset_of(spec["content_type"])
    if "error" in spec:
        with pytest.raises(ParseError, match=spec["error"]):
            parse_feed(data, "hostile", f"http://feeds.example/{name}", charset)
        return
    result = parse_feed(data, "hostile", f"http://feeds.example/{name}", charset)
    assert [i.title for i in result.items] == spec["titles"]
    if "links" in spec:
        assert [i.link or "" for i in result.items] == spec["links"]
    if "body" in spec:
        assert [b.text for b in result.items[0].blocks] == spec["body"]
    for text in spec.get("warnings", []):
        assert any(text in w for w in result.warnings), result.warnings


def test_every_hostile_fixture_is_in_the_manifest() -> None:
    on_disk = {p.name for p in HOSTILE.iterdir() if p.suffix in (".rss", ".atom", ".xml")}
    assert on_disk == set(MANIFEST)


def feed(title: str, encoding: str, declared: str | None, bom: bool = False) -> bytes:
    declaration = f'<?xml version="1.0" encoding="{declared}"?>' if declared else ""
    text = (
        f'{declaration}<rss version="2.0"><channel><title>t</title><item><guid>1</guid>'
        f"<title>{title}</title><description>{title}, in full.</description></item>"
        "</channel></rss>"
    )
    mark = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}
    return (mark[encoding] if bom else b"") + text.encode(encoding)


@pytest.mark.parametrize(
    ("encoding", "declared", "http", "bom"),
    [
        ("utf-16-le", "UTF-16", None, True),
        ("utf-16-be", "UTF-16", None, True),
        ("utf-16-le", None, "utf-16-le", True),
        ("utf-16-le", "UTF-16", None, False),
        ("utf-16-be", "UTF-16", None, False),
        ("utf-16-be", None, "utf-16", False),
        ("utf-16-le", "UTF-16LE", "utf-16-le", False),
        ("euc_jp", "EUC-JP", None, False),
        ("euc_jp", None, "euc_jp", False),
        ("iso2022_jp", "ISO-2022-JP", None, False),
        ("iso2022_jp", None, "iso2022_jp", False),
        ("euc_kr", "EUC-KR", None, False),
        ("mac_roman", "macintosh", None, False),
        ("mac_roman", None, "mac-roman", False),
    ],
)
def test_a_feed_in_any_charset_python_knows_reads_exactly(
    encoding: str, declared: str | None, http: str | None, bom: bool
) -> None:
    title = {
        "euc_jp": "東京の会議",
        "iso2022_jp": "東京の会議",
        "euc_kr": "서울 회의",
        "mac_roman": "Café – “Zürich”",
    }.get(encoding, "Noël 東京 𝄞")
    (item,) = parse_feed(feed(title, encoding, declared, bom), "n", charset=http).items
    assert item.title == title and [b.text for b in item.blocks] == [f"{title}, in full."]


def test_the_http_charset_wins_over_the_declaration_and_a_bom_over_both() -> None:
    latin = feed("Zürich", "latin-1", "utf-8")
    assert parse_feed(latin, "n", charset="iso8859-1").items[0].title == "Zürich"
    marked = codecs.BOM_UTF8 + feed("Zürich", "utf-8", "utf-8")
    assert parse_feed(marked, "n", charset="iso8859-1").items[0].title == "Zürich"


@pytest.mark.parametrize(
    ("data", "charset", "says"),
    [
        (feed("x", "ascii", "x-klingon"), None, "unknown character encoding 'x-klingon'"),
        (feed("x", "ascii", None), "base64", "unknown character encoding 'base64'"),
        (feed("Zürich", "latin-1", "utf-8"), None, "not valid utf-8"),
        (b"\xff\xfe<\x00", None, "malformed XML"),
    ],
)
def test_unknown_or_lying_charsets_are_a_parse_error(
    data: bytes, charset: str | None, says: str
) -> None:
    with pytest.raises(ParseError, match=says):
        parse_feed(data, "n", charset=charset)


@given(st.binary(max_size=300), st.sampled_from([None, "utf-16", "euc_jp", "utf-32", "cp1252"]))
def test_parse_feed_raises_nothing_but_parse_error(data: bytes, charset: str | None) -> None:
    for body in (data, b'<?xml version="1.0" encoding="UTF-16"?><rss>' + data):
        with contextlib.suppress(ParseError):  # anything else fails the test
            parse_feed(body, "n", charset=charset)


@pytest.mark.parametrize("element", ["textarea", "title", "xmp", "plaintext", "iframe", "noembed"])
def test_an_escaped_raw_text_element_in_a_title_is_text_not_a_swallowed_page(
    element: str,
) -> None:
    data = feed(f"Use the &lt;{element}&gt; element", "utf-8", "utf-8")
    (item,) = parse_feed(data, "n").items
    assert item.title == f"Use the <{element}> element"
    # An RSS description is HTML by definition: there the element is markup.
    assert [b.text for b in item.blocks] == ["Use the element, in full."]


def test_markup_typed_as_html_loses_its_tags_and_nothing_leaks() -> None:
    assert field_line("Use the <textarea> element", "text/html") == "Use the element"
    assert field_line("<b>Sum</b>mit <script>x()</script>news", "text/html") == "Summit news"
    assert field_line("Use the <textarea> element", "text/plain") == "Use the <textarea> element"
    assert field_line("1 < 2 && a<b", "text/plain") == "1 < 2 && a<b"


def test_untyped_rss_text_is_markup_only_when_it_looks_like_markup() -> None:
    assert field_line("<script>x</script>Summit <b>news</b>", "text/plain", False) == (
        "Summit news"
    )
    assert field_line("A &lt;b&gt; tag", "text/plain", False) == "A <b> tag"
    assert field_line("Use the <xmp> element", "text/plain", False) == "Use the <xmp> element"


def test_a_dropped_feed_link_is_named_in_a_warning() -> None:
    data = (
        b'<rss version="2.0"><channel><title>t</title><item><title>T</title>'
        b"<link>javascript:alert(1)</link></item></channel></rss>"
    )
    result = parse_feed(data, "n")
    assert result.items[0].link is None
    assert result.warnings == [
        "entry 1: dropped its link 'javascript:alert(1)': not an http(s) URL that can be made valid"
    ]


def test_listing_links_are_normalised_and_invalid_ones_dropped_with_a_warning() -> None:
    page = (
        '<html><body><div class="i"><a href="/a b/詹?q=&quot;x&quot;">One</a></div>'
        '<div class="i"><a href="javascript:alert(1)">Two</a></div>'
        '<div class="i"><a href="http://www.詹姆斯.com/">Three</a></div></body></html>'
    )
    selectors = ListingSelectors(item=".i", title="a", link="a")
    result = parse_listing(page.encode(), "https://site.example/news/", selectors)
    assert [i.link for i in result.items] == [
        "https://site.example/a%20b/%E8%A9%B9?q=%22x%22",
        None,
        "http://www.xn--8ws00zhy3a.com/",
    ]
    assert result.warnings == [
        "item 2: dropped its link 'javascript:alert(1)': not a valid http(s) URL"
    ]


def test_an_entry_keyed_by_its_link_keeps_the_key_it_had_before_links_were_normalised() -> None:
    """Keys stay as stored: an upgrade must not store an item a second time."""
    data = (
        b'<rss version="2.0"><channel><title>t</title><item><title>T</title>'
        b"<link>https://example.com/search?q=a|b</link></item></channel></rss>"
    )
    (item,) = parse_feed(data, "n").items
    assert item.key.startswith("b26c25e7")  # as feeder keyed it before
    assert item.link == "https://example.com/search?q=a%7Cb"  # published valid
