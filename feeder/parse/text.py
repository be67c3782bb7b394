"""Plain text of a feed's text fields, by the type the feed gives them.

A field typed as text (Atom `type="text"`) is text: "Use the <textarea> element"
stays exactly that. A field typed as HTML is markup, read with the standard
library's tokenizer, which only drops tags: lxml's fragment parser treats
`<textarea>`, `<title>`, `<xmp>`, `<plaintext>`, ... as raw-text elements that
swallow the rest of the field, and its own `</body></html>` with it. RSS types
nothing; its text is read as markup only when it looks like markup (see
`looks_like_markup`).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from feeder.normalize import clean_text, squash

_BLOCKS = frozenset(
    (  # noqa: SIM905 -- a tag list reads better as text
        "p div li ul ol h1 h2 h3 h4 h5 h6 blockquote pre tr table br hr section article"
    ).split()
)
_HIDDEN = frozenset({"script", "style"})  # their content is code, never text
# feedparser's own test for "this RSS text is HTML" (a closing tag or a character
# reference), without its list of allowed elements: `<script>` is markup too.
_MARKUP_SIGNS = re.compile(r"</[A-Za-z][\w:-]*\s*>|&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z]\w*);")
_MARKUP_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})


class _TextCollector(HTMLParser):
    """Collects character data (references decoded), dropping tags and hidden content."""

    def __init__(self, breaks: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.breaks = breaks
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif self.breaks and tag in _BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.breaks and tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif self.breaks and tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def looks_like_markup(text: str) -> bool:
    """True when untyped text holds a closing tag or a character reference."""
    return bool(_MARKUP_SIGNS.search(text))


def is_markup(text: str, content_type: str | None, declared: bool) -> bool:
    """Whether a field is markup: by its declared type, or (RSS, `declared` False)
    by its look; feedparser's guess alone would keep `<script>` in a title."""
    if (content_type or "").lower() in _MARKUP_TYPES:
        return True
    return not declared and looks_like_markup(text)


def markup_text(markup: str, breaks: bool) -> str:
    """An HTML fragment's text: inline tags vanish without a trace (`Wo<b>rd</b>` stays
    one word); with `breaks`, block elements and `<br>` end lines."""
    if "<" not in markup and "&" not in markup:
        return markup
    collector = _TextCollector(breaks)
    collector.feed(markup)
    collector.close()
    return "".join(collector.parts)


def field_line(value: str, content_type: str | None = "text/html", declared: bool = True) -> str:
    """A field's text on one line (titles, names, terms)."""
    text = markup_text(value, False) if is_markup(value, content_type, declared) else value
    return clean_text(squash(text))


def field_paragraphs(
    value: str, content_type: str | None = "text/html", declared: bool = True
) -> list[str]:
    """A field's text as paragraphs: split at block ends and line breaks of markup,
    at line ends of text."""
    text = markup_text(value, True) if is_markup(value, content_type, declared) else value
    parts = clean_text(text).split("\n")
    return [line for line in (squash(part) for part in parts) if line]
