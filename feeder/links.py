"""Make the links feeds and pages give us valid http(s) URIs, once, as items are parsed.

Sources hand out links with spaces, quotes, `<`, `{`, IRIs (`http://www.詹姆斯.com/`)
and `javascript:`; copied into Atom and RSS they make invalid documents. Each link
is split with RFC 3986's own regular expression (appendix B, which unlike
`urlsplit` changes nothing it does not have to), its host is converted with IDNA,
and everything else outside RFC 3986's characters is percent-encoded as UTF-8.
A URI that is already valid comes back byte for byte, so normalising is idempotent.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import idna

# RFC 3986, appendix B: scheme, authority, path, query, fragment.
_PARTS = re.compile(r"^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.S)
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_SUB_DELIMS = "!$&'()*+,;="
_PCHAR = _SUB_DELIMS + ":@"  # quote() keeps letters, digits and `_.-~` as well
_ASCII_HOST = re.compile(r"(?:[A-Za-z0-9._~!$&'()*+,;=-]|%[0-9A-Fa-f]{2})*")
_IP_LITERAL = re.compile(r"\[(?:[0-9A-Fa-f:.]+|v[0-9A-Fa-f]+\.[A-Za-z0-9._~!$&'()*+,;=:-]+)\]")
_PORT = re.compile(r"[0-9]*")
# WHATWG URL parsing removes these anywhere; they are line wrapping, never data.
_WRAPPING = re.compile(r"[\t\n\r]")
_EDGES = re.compile(r"^[\x00-\x20\x7f]+|[\x00-\x20\x7f]+$")  # and strips these at the ends
# Every character RFC 3986 allows in a URI reference (letters, digits, reserved,
# unreserved and `%`): what a normalised link consists of.
URI_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")


def normalize_link(value: object) -> str | None:
    """`value` as a valid absolute http(s) URI, or None when it cannot be one (another
    scheme such as `javascript:` or `data:`, no host, a host IDNA refuses, a bad port)."""
    if not isinstance(value, str):
        return None
    match = _PARTS.match(_EDGES.sub("", _WRAPPING.sub("", value)))
    if match is None:
        return None
    scheme, authority, path, query, fragment = match.groups()
    if scheme is None or scheme.lower() not in ("http", "https") or not authority:
        return None
    authority = _authority(authority)
    if authority is None:
        return None
    uri = f"{scheme}://{authority}{_encoded(path, _PCHAR + '/')}"
    if query is not None:
        uri += "?" + _encoded(query, _PCHAR + "/?")
    if fragment is not None:
        uri += "#" + _encoded(fragment, _PCHAR + "/?")
    return uri


def is_valid_uri(value: str) -> bool:
    """True when `value` uses only RFC 3986 characters and every `%` starts an escape."""
    return bool(URI_CHARACTERS.fullmatch(value)) and "%" not in _ESCAPE.sub("", value)


def _authority(authority: str) -> str | None:
    if "\\" in authority:
        return None  # browsers read `\` as `/`: `http://a\@b/` means host `a`, not `b`
    userinfo, at, hostport = authority.rpartition("@")
    if hostport.startswith("["):
        literal, _, rest = hostport.partition("]")
        host: str | None = literal + "]"
        colon, port = rest[:1], rest[1:]
        if (rest and colon != ":") or not _IP_LITERAL.fullmatch(literal + "]"):
            return None
    else:
        name, colon, port = hostport.partition(":")
        host = _host(name)
    if not host or not _PORT.fullmatch(port):
        return None
    return f"{_encoded(userinfo, _SUB_DELIMS + ':')}{at}{host}{colon}{port}"


def _host(host: str) -> str | None:
    """An ASCII host as given (case and all); anything else through IDNA (UTS 46)."""
    if host.isascii():
        return host if _ASCII_HOST.fullmatch(host) else None
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return None


def _encoded(part: str, safe: str) -> str:
    """`part` with every character outside `safe` percent-encoded as UTF-8; escapes
    already there are kept, a `%` that starts none becomes `%25`."""
    pieces, start = [], 0
    for escape in _ESCAPE.finditer(part):
        pieces.append(quote(part[start : escape.start()], safe=safe, errors="surrogatepass"))
        pieces.append(escape[0])
        start = escape.end()
    pieces.append(quote(part[start:], safe=safe, errors="surrogatepass"))
    return "".join(pieces)
