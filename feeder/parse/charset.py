"""Decode an XML document's bytes to text with Python's codecs, whatever it is served in.

libxml2 knows encodings by iconv's names and Python by its own (`euc_jp`,
`mac-roman`), so a name handed from one to the other fails; and byte-level
rewriting before parsing is only safe on ASCII-compatible bytes (not UTF-16, not
ISO-2022-JP). So the document is decoded here, once, and the parser gets UTF-8.
The encoding is chosen as RFC 7303 says: a byte order mark first, then the HTTP
charset, then the XML declaration, else UTF-8.
"""

from __future__ import annotations

import codecs
import re

from feeder.parse.seed import ParseError

_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# XML 1.0 appendix F: how `<?` looks in the first bytes of a document without a mark.
_SNIFFS = (
    (b"<\0\0\0", "utf-32-le"),
    (b"\0\0\0<", "utf-32-be"),
    (b"<\0?\0", "utf-16-le"),
    (b"\0<\0?", "utf-16-be"),
    (b"<\0", "utf-16-le"),
    (b"\0<", "utf-16-be"),
)
_DECLARATION = re.compile(r"\A<\?xml\s[^>]*?\?>")
_DECLARED = re.compile(rb"""\A<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_UNICODE_FAMILIES = {"utf-16": "utf-16", "utf-32": "utf-32"}


def decode_xml(data: bytes, charset: str | None) -> str:
    """The document as text, without its XML declaration (it names an encoding the
    text no longer has). Raises `ParseError` for an unknown encoding or bytes that are
    not in the one chosen."""
    encoding, skip = _encoding(data, charset)
    try:
        text = data[skip:].decode(encoding)  # not codecs.decode: that takes base64 too
    except LookupError:
        raise ParseError(f"unknown character encoding {encoding!r}") from None
    except UnicodeDecodeError as exc:
        where = f"at byte {exc.start + skip}"
        raise ParseError(
            f"the document is not valid {exc.encoding}: {exc.reason} {where}"
        ) from None
    return _DECLARATION.sub("", text, count=1)


def _encoding(data: bytes, charset: str | None) -> tuple[str, int]:
    """The codec to decode with and how many leading bytes (a mark) to skip."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    sniffed = next((name for start, name in _SNIFFS if data.startswith(start)), None)
    named = charset or _declared(data, sniffed)
    if named is None:
        return sniffed or "utf-8", 0
    family = _family(named)
    if family and sniffed and sniffed.startswith(family):
        return sniffed, 0  # "UTF-16" without a mark: the first `<` says which end first
    if family:
        return f"{family}-be", 0  # RFC 2781: no mark and no other sign means big-endian
    return named, 0


def _declared(data: bytes, sniffed: str | None) -> str | None:
    """The encoding the XML declaration names (read through UTF-16/32 when sniffed)."""
    head = data[:512]
    if sniffed:
        try:
            head = head.decode(sniffed, errors="ignore").encode("ascii", errors="ignore")
        except LookupError:
            return None
    match = _DECLARED.match(head)
    return match[1].decode("ascii") if match else None


def _family(name: str) -> str | None:
    """ "utf-16" or "utf-32" for a name of those codecs without a byte order."""
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    return _UNICODE_FAMILIES.get(canonical)
