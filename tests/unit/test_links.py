"""Link normalisation: every link a source gives becomes a valid http(s) URI or None."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeder.links import is_valid_uri, normalize_link

_UNRESERVED = string.ascii_letters + string.digits + "-._~"
_PCHARS = _UNRESERVED + "!$&'()*+,;=:@"
_escape = st.builds(lambda b: f"%{b:02X}", st.integers(0, 255))
_segment = st.lists(st.one_of(st.sampled_from(_PCHARS), _escape), max_size=12).map("".join)
_label = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=10)


@st.composite
def valid_urls(draw: st.DrawFn) -> str:
    """Absolute http(s) URIs made only of what RFC 3986 allows where it allows it."""
    scheme = draw(st.sampled_from(["http", "https", "HTTPS"]))
    host = ".".join(draw(st.lists(_label, min_size=1, max_size=3)))
    port = draw(st.sampled_from(["", ":8080", ":"]))
    path = "".join("/" + s for s in draw(st.lists(_segment, max_size=4)))
    query = draw(st.one_of(st.none(), _segment))
    fragment = draw(st.one_of(st.none(), _segment))
    return (
        f"{scheme}://{host}{port}{path}"
        + ("" if query is None else "?" + query)
        + ("" if fragment is None else "#" + fragment)
    )


@given(valid_urls())
def test_a_valid_url_comes_back_byte_identical(url: str) -> None:
    assert normalize_link(url) == url


@given(st.text(max_size=60), st.text(max_size=30))
def test_any_link_becomes_rfc_3986_characters_only_or_none(host: str, rest: str) -> None:
    for given_link in (f"http://{host}/{rest}", f"https://h.example/{host}?{rest}#{rest}", rest):
        link = normalize_link(given_link)
        assert link is None or (is_valid_uri(link) and link.isascii())


@given(st.text(max_size=40), st.text(max_size=40))
def test_normalising_twice_changes_nothing(host: str, rest: str) -> None:
    link = normalize_link(f"https://{host}/{rest}")
    assert link is None or normalize_link(link) == link


@pytest.mark.parametrize(
    ("given_link", "expected"),
    [
        ('https://a.example/x"y', "https://a.example/x%22y"),
        ("https://a.example/<b>^{c}|`d e", "https://a.example/%3Cb%3E%5E%7Bc%7D%7C%60d%20e"),
        ("https://a.example/p?q=[1]#f#g", "https://a.example/p?q=%5B1%5D#f%23g"),
        (
            "http://www.詹姆斯.com/詹?q=詹#詹",
            "http://www.xn--8ws00zhy3a.com/%E8%A9%B9?q=%E8%A9%B9#%E8%A9%B9",
        ),
        ("https://a.example/a%20b%E8%A9%B9", "https://a.example/a%20b%E8%A9%B9"),
        ("https://a.example/100%", "https://a.example/100%25"),
        ("  https://a.example/wrapped\n/line  ", "https://a.example/wrapped/line"),
        ("HTTP://Example.COM:8080/", "HTTP://Example.COM:8080/"),
        ("http://[2001:db8::1]:80/x", "http://[2001:db8::1]:80/x"),
        ("http://user:pa ss@a.example/", "http://user:pa%20ss@a.example/"),
    ],
)
def test_what_must_be_escaped_is_escaped_and_iris_become_uris(
    given_link: str, expected: str
) -> None:
    assert normalize_link(given_link) == expected


@pytest.mark.parametrize(
    "given_link",
    [
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "mailto:a@b.example",
        "ftp://a.example/",
        "/relative/only",
        "https://",
        "http://☃.example/",  # IDNA 2008 refuses the snowman
        "http://a b.example/",
        "http://a.example:8x/",
        "http://evil.example\\@good.example/",  # browsers go to evil.example
        "http://[not-an-ip]/",
    ],
)
def test_links_that_cannot_be_valid_http_uris_are_dropped(given_link: str) -> None:
    assert normalize_link(given_link) is None
