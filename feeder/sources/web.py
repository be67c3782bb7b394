"""Fetch web sources with httpx: bounded in time and size, conditional, and never
reaching private networks unless a source is allowed to (see `feeder.sources.network`
for how, and `feeder.sources.body` for the size cap)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from feeder.errors import BlockedAddressError, BodyError, FetchError
from feeder.normalize import mask_url
from feeder.sources.body import read_capped
from feeder.sources.network import (
    AddressPolicy,
    Deadline,
    GuardedTransport,
    current_deadline,
    is_public,
    reachable,
)

MAX_REDIRECTS = 5
_REDIRECTS = (301, 302, 303, 307, 308)
_PHASE_TIMEOUT = httpx.Timeout(10.0)


@dataclass(frozen=True)
class Fetched:
    """A fetch's outcome: new bytes, or "not modified" (HTTP 304) with none."""

    url: str  # after redirects
    body: bytes
    not_modified: bool
    etag: str | None
    last_modified: str | None
    content_type: str


def _client(user_agent: str) -> httpx.Client:
    # Keep-alive is off: every request connects anew, so each is checked and watched.
    inner = httpx.HTTPTransport(
        limits=httpx.Limits(max_connections=None, max_keepalive_connections=0)
    )
    return httpx.Client(
        transport=GuardedTransport(inner),
        follow_redirects=False,  # followed by hand, each hop checked
        timeout=_PHASE_TIMEOUT,
        trust_env=False,  # a proxy would connect for us, around the guard
        headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
    )


class WebFetcher:
    """One shared HTTP client for every web source."""

    def __init__(self, user_agent: str, public: AddressPolicy = is_public) -> None:
        """`public` decides which addresses a source without `allow_private_networks`
        may reach (every connection, each redirect hop included, is checked)."""
        self.client = _client(user_agent)
        self.public = public

    def close(self) -> None:
        self.client.close()

    def fetch(
        self,
        url: str,
        *,
        max_bytes: int,
        deadline: float,
        allow_private: bool = False,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Fetched:
        """GET `url` (conditionally, when validators are given). Raises `FetchError`."""
        shown = mask_url(url)
        deadline_watch = Deadline(deadline)
        policy = None if allow_private else self.public
        tokens = (reachable.set(policy), current_deadline.set(deadline_watch))
        deadline_watch.start()
        try:
            fetched = self._follow(url, shown, max_bytes, etag, last_modified)
            if deadline_watch.expired.is_set():  # a cut can look like a normal end of body
                raise FetchError(f"{shown}: took longer than {deadline:g} s")
            return fetched
        except BlockedAddressError as exc:
            raise FetchError(f"{shown}: refused: {exc}") from None
        except (httpx.TransportError, httpx.StreamError) as exc:
            if deadline_watch.expired.is_set():
                raise FetchError(f"{shown}: took longer than {deadline:g} s") from None
            if isinstance(exc, httpx.TimeoutException):
                raise FetchError(f"{shown}: timed out") from None
            raise FetchError(f"{shown}: connection failed: {exc}") from None
        finally:
            deadline_watch.stop()
            reachable.reset(tokens[0])
            current_deadline.reset(tokens[1])

    def _follow(
        self, url: str, shown: str, max_bytes: int, etag: str | None, last_modified: str | None
    ) -> Fetched:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for _ in range(MAX_REDIRECTS + 1):
            if urlsplit(url).scheme.lower() not in ("http", "https"):
                raise FetchError(f"{shown}: redirected to a non-http URL {mask_url(url)}")
            with self.client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status in _REDIRECTS:
                    if "location" not in response.headers:
                        raise FetchError(f"{shown}: HTTP {status} without a Location")
                    url = urljoin(url, response.headers["location"])
                    continue
                if status == 304:
                    return Fetched(url, b"", True, etag, last_modified, "")
                if status in (429, 503):
                    wait = response.headers.get("retry-after")
                    asked = f" (Retry-After: {wait})" if wait else ""
                    raise FetchError(f"{shown}: HTTP {status}{asked}", retry_after=wait)
                if status >= 400 or status < 200:
                    raise FetchError(f"{shown}: HTTP {status} {response.reason_phrase}")
                try:
                    body = read_capped(response, max_bytes)
                except BodyError as exc:
                    raise FetchError(f"{shown}: {exc}") from None
                return Fetched(
                    url,
                    body,
                    False,
                    response.headers.get("etag"),
                    response.headers.get("last-modified"),
                    response.headers.get("content-type", ""),
                )
        raise FetchError(f"{shown}: more than {MAX_REDIRECTS} redirects")
