"""Read a response body within a byte cap, however it is compressed: a gzip bomb is
cut off as it inflates, never expanded first."""

from __future__ import annotations

import zlib
from typing import Any

import httpx

from feeder.errors import BodyError


def read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    """The decoded body; `BodyError` past `max_bytes`, however it is compressed."""
    declared = response.headers.get("content-length", "")
    too_big = BodyError(f"the body is larger than {max_bytes} bytes")
    if (
        declared.isdigit()
        and int(declared) > max_bytes
        and "content-encoding" not in response.headers
    ):
        raise too_big
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        decoder: Any = _Inflater(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decoder = _Inflater(None)
    elif encoding in ("identity", ""):
        decoder = None
    else:
        raise BodyError(f"unsupported content encoding {encoding!r}")
    body = bytearray()
    try:
        for chunk in response.iter_raw():
            if decoder is None:
                body += chunk
            else:
                # Never inflate more than the cap allows: a gzip bomb is cut, not expanded.
                body += decoder.decompress(chunk, max_bytes + 1 - len(body))
                while decoder.unconsumed_tail and len(body) <= max_bytes:
                    body += decoder.decompress(decoder.unconsumed_tail, max_bytes + 1 - len(body))
            if len(body) > max_bytes:
                raise too_big
    except zlib.error as exc:
        raise BodyError(f"corrupt {encoding} body: {exc}") from None
    return bytes(body)


class _Inflater:
    """zlib with a cap on every call's output. Reads gzip bodies of several members,
    and "deflate" either zlib-wrapped (as specified), gzip-wrapped or raw (as sent)."""

    def __init__(self, wbits: int | None) -> None:
        self._wbits = wbits
        self._inner: Any = None
        self.unconsumed_tail = b""

    def _new(self, data: bytes) -> Any:
        if self._wbits is not None:
            return zlib.decompressobj(self._wbits)
        wrapped = len(data) >= 2 and (data[0] == 0x1F or (data[0] * 256 + data[1]) % 31 == 0)
        return zlib.decompressobj(32 + zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self._inner is None:
            self._inner = self._new(data)
        out = self._inner.decompress(data, max(max_length, 1))
        if self._inner.eof and self._inner.unused_data:  # the next gzip member
            rest = self._inner.unused_data
            self._inner = self._new(rest)
            self.unconsumed_tail = rest
        else:
            self.unconsumed_tail = self._inner.unconsumed_tail
        return bytes(out)
