"""Text normalisation shared by the parser and item identity. Pure functions, no I/O."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date
from urllib.parse import urlsplit, urlunsplit

# Characters XML 1.0 forbids (lxml refuses them) plus C1 controls, DEL, BOM and
# lone surrogates, which only ever appear in captures as damage.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff\ud800-\udfff]")
_CLOSERS = "\"'”’»)]"
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*(?=\s+[\"“«(]?[A-Z0-9\u0400-\u042f])")
# Words that end in a full stop without ending the sentence.
_ABBREVIATIONS = frozenset(
    (  # noqa: SIM905 -- a word list reads better as text
        "mr mrs ms dr prof st no nos vs jr sr gen col lt maj capt sgt gov sen rep dept est approx "
        "inc ltd co corp jan feb mar apr jun jul aug sep sept oct nov dec"
    ).split()
)


def clean_text(text: str) -> str:
    """Return `text` with unified newlines and without characters illegal in XML."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL.sub("", text)


def squash(line: str) -> str:
    """Collapse every run of whitespace (including no-break spaces) to one space."""
    return " ".join(line.split())


def ends_sentence(line: str) -> bool:
    """True when `line` ends with sentence or clause punctuation (closing quotes ignored)."""
    stripped = line.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in ".,;:!?…"


def first_sentence(text: str) -> str:
    """The first sentence of `text`, not fooled by initials (`T.S. Smith`) or abbreviations."""
    for match in _SENTENCE_END.finditer(text):
        end = match.start()
        if text[end] == ".":
            word = re.search(r"(\w+)$", text[:end])
            if word and (len(word.group(1)) == 1 or word.group(1).lower() in _ABBREVIATIONS):
                continue
        return text[: match.end()].strip()
    return text.strip()


def shorten(text: str, limit: int = 120) -> str:
    """Cut `text` at a word boundary to at most `limit` characters, ending in an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


def normalize_identity(title: str) -> str:
    """Case-, width-, quote- and punctuation-insensitive form of a title, for identity."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", folded).split())


def item_key(identity: str, explicit_date: date | None) -> str:
    """Stable item key from its normalised title and explicit date only.

    Never from a row id, file name or time seen, so the same item in another file,
    another capture or another database gets the same key.
    """
    day = explicit_date.isoformat() if explicit_date else ""
    digest = hashlib.sha256(f"{normalize_identity(identity)}\n{day}".encode()).hexdigest()
    return digest[:24]


def mask_url(url: str) -> str:
    """The URL with any user:password replaced, for messages and logs."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"***@{host}"))
