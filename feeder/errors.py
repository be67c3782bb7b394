"""Every error feeder raises, under one root, so a caller can catch `FeederError`.

Each message names the source, file, key or item first. Errors that are also a
standard kind (a missing key, a bad value) keep that base too.
"""

from __future__ import annotations


class FeederError(Exception):
    """The root of every error feeder raises on purpose."""


# config
class ConfigError(FeederError):
    """The configuration cannot be used; the message names the file, key and reason."""


class StarterExistsError(FeederError, FileExistsError):
    """A feeder.toml is already there: `init` never overwrites one."""


# core
class UnknownTopicError(FeederError, KeyError):
    """A topic slug that the configuration does not define."""


class UnknownSourceError(FeederError, KeyError):
    """A source name that the configuration does not define."""


class UnknownItemError(FeederError, LookupError):
    """No stored item has this key, or a key prefix fits several; the message says which."""


# overrides
class RemovalError(FeederError, LookupError):
    """No stored or removed item has the key, a prefix fits several keys, or the item to
    restore is not removed; the message says which."""


# parse
class ParseError(FeederError, ValueError):
    """The input is not a text capture at all (binary data)."""


# publish
class PublishError(FeederError):
    """An output file could not be written; the message names it."""


# refresh
class RefreshCancelled(FeederError):
    """The refresh was cancelled before it changed anything."""


class LeaseLost(FeederError):
    """Another worker took over a source this refresh was scanning (this one stalled
    past its lease); the refresh stopped without writing, the other one does it."""


# sources
class BodyError(FeederError):
    """The body is too large, compressed in a way we do not read, or corrupt."""


class SourceError(FeederError):
    """A source or one of its files cannot be read; the message names it."""


class FileTooLarge(SourceError):
    """A file is larger than its source's `max_bytes`; it is skipped, not read."""


class BlockedAddressError(FeederError):
    """The host resolves to an address this source may not reach."""


class FetchError(SourceError):
    """A web source could not be fetched; the message names the URL and the reason."""

    def __init__(self, message: str, retry_after: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # the server's Retry-After value, as sent


# store
class StoreError(FeederError):
    """A database operation failed; the message names the database."""


class SchemaBehindError(StoreError):
    """The database's schema is older than this feeder and must be upgraded explicitly."""


class LockBusyError(FeederError):
    """Another process holds the lock; the message says which and for what."""


class LockWaitCancelled(FeederError):
    """The caller gave up waiting for the lock (the service is stopping)."""


class SearchQueryError(FeederError, ValueError):
    """A full-text query that cannot be parsed; the message says why."""


# web
class ArchivePageError(FeederError, ValueError):
    """The archive document cannot be read as Atom; the message says why."""


class BadSearch(FeederError, ValueError):
    """A search request that cannot be answered; the message says why."""
