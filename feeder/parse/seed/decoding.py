"""Capture bytes to text: by byte order mark, UTF-8 or legacy Windows-1251, refusing
binary data."""

from __future__ import annotations

import codecs

from feeder.errors import ParseError
from feeder.normalize import clean_text

_BOMS = (  # UTF-32 first: its little-endian BOM begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_capture(data: bytes) -> tuple[str, list[str]]:
    """Decode capture bytes: by their byte order mark if they have one, else as UTF-8,
    else as Windows-1251 when that gives Cyrillic text (the usual legacy encoding of
    such captures), else as UTF-8 with the bad bytes replaced. Binary data raises
    `ParseError`."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode(data, codec, codec.upper().removesuffix("-SIG"))
    if b"\x00" in data[:8192]:
        raise ParseError("binary data (NUL bytes), not a text capture")
    try:
        return clean_text(data.decode("utf-8")), []
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        legacy = data.decode("cp1251", errors="replace")
        if _mostly_undecodable(text) and _mostly_cyrillic(legacy):
            return clean_text(legacy), ["not UTF-8; read as Windows-1251"]
        return clean_text(text), [f"invalid UTF-8 at byte {exc.start}, undecodable bytes replaced"]


def _decode(data: bytes, codec: str, name: str) -> tuple[str, list[str]]:
    try:
        return clean_text(data.decode(codec)), []
    except UnicodeDecodeError as exc:
        text = data.decode(codec, errors="replace")
        return clean_text(text), [f"invalid {name} at byte {exc.start}, undecodable bytes replaced"]


def _mostly_undecodable(text: str) -> bool:
    """True when most non-ASCII characters of UTF-8 decoded `text` are replacements:
    a legacy encoding, not UTF-8 with a damaged byte or a cut-off character."""
    wide = [c for c in text if ord(c) > 127]
    return wide.count("\ufffd") > len(wide) / 2


def _mostly_cyrillic(text: str) -> bool:
    """True when at least 4 of 5 non-ASCII characters are Cyrillic letters."""
    wide = [c for c in text if ord(c) > 127]
    cyrillic = sum("\u0400" <= c <= "\u04ff" for c in wide)
    return cyrillic >= 4 and cyrillic >= 0.8 * len(wide)
