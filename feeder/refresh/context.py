"""What one refresh runs with: its context (the store, the settings, the clock, how to
stop it and report progress) and its limits (how long to wait, how much at a time)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import version
from threading import Event
from typing import TYPE_CHECKING

from feeder.config import Settings
from feeder.store import Storage

if TYPE_CHECKING:  # web code loads only when a web source is refreshed (start-up)
    from feeder.sources.web import WebFetcher

ProgressCallback = Callable[[int, int, str], None]  # (done, total, current file)
USER_AGENT = f"feeder/{version('feeder')} (news feed publisher)"


@dataclass(frozen=True)
class RefreshContext:
    """The store and settings a refresh works on, and what it answers to.

    `clock` is read once: the refresh's moment, which every row it writes carries.
    Setting `cancel` stops a refresh that is waiting, reading or storing. `worker`
    names this process in source leases; `fetcher` is the HTTP client web sources
    share (None: one made for this refresh)."""

    store: Storage
    settings: Settings
    clock: Callable[[], datetime]
    cancel: Event = field(default_factory=Event)
    progress: ProgressCallback | None = None
    fetcher: WebFetcher | None = None
    worker: str = "feeder"


@dataclass(frozen=True)
class RefreshLimits:
    """How long a refresh waits and how much it does at a time."""

    lock_timeout: float = 120.0  # seconds to wait for another worker's sources and lock
    wait_for_sources: bool = True  # False: skip the sources another worker holds
    files_per_transaction: int = 500  # a crash keeps the transactions committed before
    ingest_batch: int = 500  # keys written per round of statements
    keys_listed: int = 5_000  # above this many changed items, every item page is rendered
    # Processes judging a chunk's items ahead (None: one per core, none on one), from
    # this many items in a chunk on.
    judging_workers: int | None = None
    judging_from_items: int = 2000
