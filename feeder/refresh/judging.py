"""Judging a large refresh's items ahead, in worker processes. An item's topics and its
story signature are pure functions of its text, so a cold build works them out on
every core while this process reads the next files and stores the last ones. The
decider's tagger and the story step look here first, and work out anything not found
(a web source's items, a small refresh) themselves: the results are the same.

    read chunk N | Judgements.submit(N) -> workers
    Judgements.collect(N - 1) | ingest chunk N - 1 (tags, signatures looked up)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from feeder.model import Block, ParsedItem
from feeder.stories import Signature
from feeder.topics import Topic, TopicMatcher
from feeder.workers import cores, worker_pool

CHUNK_ITEMS = 400  # items sent to a worker at once


@dataclass(frozen=True)
class Judged:
    """What a worker found for one item: its topics (with why) and its signature."""

    tags: dict[str, str]
    signature: Signature


Sign = Callable[[ParsedItem], Signature]


class Judgements:
    """Tags and signatures worked out ahead for the items of the chunks submitted, by
    key, with the item they were worked out for (a key may be read twice with other
    text: only the same text takes them)."""

    def __init__(
        self,
        matcher: TopicMatcher,
        sign: Sign,
        workers: int | None,
        from_items: int,
    ) -> None:
        """`workers`: processes to judge in (None: one per core, none on one core);
        `from_items`: below this many items in a chunk, starting them costs more than
        they save."""
        self.matcher, self.sign, self.from_items = matcher, sign, from_items
        self.workers = (cores() if cores() > 1 else 0) if workers is None else workers
        self._pool: ProcessPoolExecutor | None = None
        self._batches: deque[list[tuple[list[ParsedItem], Future[list[Judged]]]]] = deque()
        self._found: dict[str, tuple[ParsedItem, Judged]] = {}

    @property
    def started(self) -> bool:
        """Whether worker processes were started (a chunk had enough items)."""
        return self._pool is not None

    def submit(self, items: Sequence[ParsedItem]) -> None:
        """Start judging one chunk's items (nothing, for too few of them)."""
        batch: list[tuple[list[ParsedItem], Future[list[Judged]]]] = []
        if self.workers > 0 and len(items) >= self.from_items:
            if self._pool is None:
                initargs = (self.matcher.topics, self.sign)
                self._pool = worker_pool(self.workers, _start_worker, initargs)
            for start in range(0, len(items), CHUNK_ITEMS):
                part = list(items[start : start + CHUNK_ITEMS])
                batch.append((part, self._pool.submit(_judge_chunk, part)))
        self._batches.append(batch)

    def collect(self) -> None:
        """Wait for the oldest chunk submitted, and keep what was found for it alone."""
        self._found = {}
        for items, future in self._batches.popleft() if self._batches else ():
            for item, judged in zip(items, future.result(), strict=True):
                self._found[item.key] = (item, judged)

    def tags(self, key: str, title: str, blocks: tuple[Block, ...]) -> dict[str, str]:
        """The decider's tagger: the topics found ahead for this text, else judged now."""
        found = self._found.get(key)
        if found is not None and found[0].title == title and found[0].blocks == blocks:
            return found[1].tags
        return self.matcher.tags(key, title, blocks)

    def signature(self, item: ParsedItem) -> Signature:
        """The story step's signature: found ahead for this item's text, else made now."""
        found = self._found.get(item.key)
        if found is not None and _same_text(found[0], item):
            return found[1].signature
        return self.sign(item)

    def close(self) -> None:
        """Stop the workers (a refresh ends, or fails)."""
        self._batches.clear()
        self._found = {}
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _same_text(one: ParsedItem, other: ParsedItem) -> bool:
    """True when two captures of a key read the same (what a signature is made of)."""
    return one is other or (
        (one.title, one.blocks, one.day, one.date_source, one.year_guessed)
        == (other.title, other.blocks, other.day, other.date_source, other.year_guessed)
    )


# A worker's own matcher and signer, made once when it starts.
_worker: tuple[TopicMatcher, Sign] | None = None


def _start_worker(topics: tuple[Topic, ...], sign: Sign) -> None:
    global _worker  # one matcher per worker process, built once
    _worker = (TopicMatcher(topics), sign)


def _judge_chunk(items: list[ParsedItem]) -> list[Judged]:
    """What a worker does with one chunk: each item's tags and signature."""
    assert _worker is not None, "a judging worker starts with _start_worker"
    matcher, sign = _worker
    return [Judged(matcher.tags(i.key, i.title, i.blocks), sign(i)) for i in items]
