"""Responses that clients can revalidate: a body in identity and gzip form with a
strong ETag and Last-Modified (`Resource`), and the RFC 9110 conditional GET that
answers it with a 200 or a bodiless 304. Knows nothing of feeds or files."""

from __future__ import annotations

import gzip
import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from email.utils import formatdate, parsedate_to_datetime
from functools import cached_property

from starlette.requests import Request
from starlette.responses import Response

from feeder.web.negotiation import accepts_gzip

_GZIP_MIN_BYTES = 512  # smaller bodies gain nothing from gzip


@dataclass(frozen=True)
class Representation:
    body: bytes
    etag: str
    encoding: str | None  # "gzip" or None


@dataclass(frozen=True)
class Resource:
    """A response body in identity and (when worth it) gzip form, with validators."""

    identity: Representation
    gzipped: Representation | None
    media_type: str
    last_modified: float | None  # seconds since the epoch; None: validate by ETag only
    cache_control: str
    link: str | None = None  # a Link header (WebSub discovery)

    @cached_property
    def last_modified_header(self) -> str | None:
        """Last-Modified as an HTTP date, formatted once (it is asked on every request)."""
        if self.last_modified is None:
            return None
        return formatdate(self.last_modified, usegmt=True)

    @classmethod
    def of(
        cls,
        body: bytes,
        media_type: str,
        last_modified: float | None,
        cache_control: str,
        link: str | None = None,
    ) -> Resource:
        tag = hashlib.sha256(body).hexdigest()[:32]
        packed = (
            gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= _GZIP_MIN_BYTES else None
        )
        return cls(
            Representation(body, f'"{tag}"', None),
            Representation(packed, f'"{tag}-gz"', "gzip")
            if packed and len(packed) < len(body)
            else None,
            media_type,
            last_modified,
            cache_control,
            link,
        )


def usable_last_modified(mtime: float | None, now: float) -> float | None:
    """A file's mtime as Last-Modified, unless it changed within the current second:
    HTTP dates have one-second resolution, so a second change in that second would
    look unmodified to If-Modified-Since."""
    return mtime if mtime is not None and now - mtime >= 1 else None


def not_modified(
    headers: Mapping[str, str], etag: str, last_modified: float | None, now: float
) -> bool:
    """RFC 9110 conditional GET: If-None-Match (weak comparison) wins over
    If-Modified-Since, which counts only with a Last-Modified and a date not in the future."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
    if_modified_since = headers.get("if-modified-since")
    if if_modified_since and last_modified is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return int(last_modified) <= since.timestamp() <= now
    return False


def conditional_answer(
    method: str,
    headers: Mapping[str, str],
    resource: Resource,
    now: float,
    vary: str = "Accept-Encoding",
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) for a GET or HEAD of `resource`: 304 when the client's
    copy is current, gzip when accepted. `headers` are the request's, names lower-case;
    `vary` names the request headers the choice of `resource` depended on."""
    use_gzip = resource.gzipped and accepts_gzip(headers.get("accept-encoding", ""))
    chosen = resource.gzipped if use_gzip and resource.gzipped else resource.identity
    last_modified = usable_last_modified(resource.last_modified, now)
    answer = {
        "etag": chosen.etag,
        "cache-control": resource.cache_control,
        "vary": vary,
    }
    if last_modified is not None and resource.last_modified_header:
        answer["last-modified"] = resource.last_modified_header
    if resource.link:
        answer["link"] = resource.link
    if not_modified(headers, chosen.etag, last_modified, now):
        return 304, answer, b""
    answer["content-type"] = resource.media_type
    answer["content-length"] = str(len(chosen.body))
    if chosen.encoding:
        answer["content-encoding"] = chosen.encoding
    return 200, answer, b"" if method == "HEAD" else chosen.body


def respond(request: Request, resource: Resource, vary: str = "Accept-Encoding") -> Response:
    """The resource, or 304 when the client's copy is current; gzip when accepted."""
    status, headers, body = conditional_answer(
        request.method, request.headers, resource, time.time(), vary
    )
    return Response(body, status_code=status, headers=headers)
