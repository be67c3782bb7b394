"""Hostile and broken captures dropped among the shipped seeds (issue 7): each one
gives a warning or error naming its file, and every good item is still stored and
published in feeds a real consumer (feedparser) reads."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest
from conftest import SEED_ENTRIES, SEED_ITEMS

from feeder import Feeder
from feeder.model import RefreshSummary

FAR_FUTURE = "01.01.2999"


def _messages(summary: RefreshSummary) -> list[str]:
    return summary.warnings + summary.errors


def _assert_seeds_published(feeder: Feeder, feeds: Path) -> None:
    stored = {item.title for item in feeder.items(limit=1000)}
    assert len(stored) >= SEED_ENTRIES
    parsed = feedparser.parse((feeds / "all.atom").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert {entry.title for entry in parsed.entries} <= stored
    assert len(list((feeds / "items").iterdir())) >= SEED_ITEMS


def _write(name: str, data: bytes) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        (folder / name).write_bytes(data)

    return make


def _sparse(name: str, size: int) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        with open(folder / name, "wb") as fh:
            fh.truncate(size)  # no disk blocks: the reader must refuse it by its size

    return make


def _long_line(name: str, size: int) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        with open(folder / name, "wb") as fh:
            chunk = b"word " * 200_000
            for _ in range(size // len(chunk)):
                fh.write(chunk)

    return make


def _symlink_loop(folder: Path) -> None:
    (folder / "loop-a.txt").symlink_to(folder / "loop-b.txt")
    (folder / "loop-b.txt").symlink_to(folder / "loop-a.txt")


def _directory(folder: Path) -> None:
    (folder / "dir.txt").mkdir()
    (folder / "dir.txt" / "inner.txt").write_text("01.02.2024\n\nHidden inside.\n")


def _unreadable(folder: Path) -> None:
    # The tests run as root, which permission bits do not stop; reading this link
    # fails with EIO for anyone, the same path through the reader as EACCES.
    (folder / "unreadable.txt").symlink_to("/proc/self/mem")


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")

HOSTILE = {
    "empty": (_write("empty.txt", b""), "empty.txt", "empty"),
    "nul bytes": (_write("nul.txt", b"01.02.2024\n\n\x00\x01 text\n"), "nul.txt", "binary"),
    "an image": (_write("image.txt", PNG + bytes(64)), "image.txt", "binary"),
    "200 MB": (_sparse("huge.txt", 200_000_000), "huge.txt", "max_bytes"),
    "one 50 MB line": (_long_line("line.txt", 50_000_000), "line.txt", "max_bytes"),
    "invalid UTF-8": (
        _write("bad-utf8.txt", b"01.02.2024\n\nA caf\xc3 opened.\n"),
        "bad-utf8.txt",
        "UTF-8",
    ),
    "symlink loop": (_symlink_loop, "loop-a.txt", "symbolic link"),
    "directory named like a capture": (_directory, "dir.txt", "not a file"),
    "unreadable": (_unreadable, "unreadable.txt", "cannot read"),
    "date with no paragraph": (
        _write("dangling.txt", b"01.02.2024\n\nA real item.\n\n02.02.2024\n"),
        "dangling.txt",
        "date",
    ),
}


@pytest.mark.parametrize("make, name, says", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_file_is_named_and_every_good_item_published(
    feeder: Feeder, settings, make: Callable[[Path], None], name: str, says: str
) -> None:
    make(settings.sources[0].path)
    summary = feeder.refresh()
    named = [m for m in _messages(summary) if name in m]
    assert named and any(says in m for m in named), _messages(summary)
    _assert_seeds_published(feeder, settings.feeds_dir)
    assert summary.items_new >= SEED_ITEMS


def test_a_refused_file_is_remembered_and_not_read_again(feeder: Feeder, settings, clock) -> None:
    _sparse("huge.txt", 200_000_000)(settings.sources[0].path)
    feeder.refresh()
    clock.advance(minutes=5)
    again = feeder.refresh()
    assert not [m for m in _messages(again) if "huge.txt" in m]
    assert again.files_scanned == 0


def test_a_file_refused_for_its_size_is_read_once_max_bytes_allows_it(
    load, workdir: Path, clock
) -> None:
    from conftest import configure

    from feeder import make_feeder

    (workdir / "seeds" / "big.txt").write_text(
        "01.02.2024\n\n" + "A long report. " * 400 + "\n", encoding="utf-8"
    )
    configure(workdir, seeds="max_bytes = 5000\n")
    with make_feeder(load(workdir), clock) as feeder:
        assert any("big.txt" in w for w in feeder.refresh().warnings)
    configure(workdir, seeds="max_bytes = 50000\n")
    with make_feeder(load(workdir), clock) as feeder:
        summary = feeder.refresh()
        assert not [w for w in summary.warnings if "big.txt" in w]
        assert "A long report." in {item.title for item in feeder.items(limit=100)}


def test_the_size_limit_is_a_source_setting(load, workdir: Path, clock) -> None:
    from conftest import configure

    from feeder import make_feeder

    configure(workdir, seeds="max_bytes = 2000\n")
    with make_feeder(load(workdir), clock) as feeder:
        summary = feeder.refresh()
    too_large = [w for w in summary.warnings if "max_bytes" in w]
    assert too_large and all("2,000" in w for w in too_large)


ENCODED = "01.02.2024\n\nМинск принял делегацию. Переговоры прошли успешно.\n"


@pytest.mark.parametrize(
    "data",
    [
        ENCODED.encode("utf-16"),  # with its BOM
        ENCODED.encode("utf-8-sig"),
        ENCODED.encode("windows-1251"),
        ENCODED.replace("\n", "\r\n").encode(),
        ENCODED.replace("\n", "\r").encode(),
    ],
    ids=["UTF-16 with BOM", "UTF-8 with BOM", "Windows-1251", "CRLF", "CR only"],
)
def test_encodings_and_line_ends_give_the_same_item(feeder: Feeder, settings, data: bytes) -> None:
    (settings.sources[0].path / "encoded.txt").write_bytes(data)
    feeder.refresh()
    titles = {item.title for item in feeder.items(limit=1000)}
    assert "Минск принял делегацию." in titles


def test_windows_1251_is_read_with_a_warning_naming_the_file(feeder: Feeder, settings) -> None:
    (settings.sources[0].path / "cp1251.txt").write_bytes(ENCODED.encode("windows-1251"))
    summary = feeder.refresh()
    assert any("cp1251.txt" in w and "Windows-1251" in w for w in summary.warnings)


MARKUP_TITLE = "<script>alert(1)</script> & ]]> <b>bold</b> \x07bell"


def test_markup_and_control_characters_are_escaped_in_every_output(
    feeder: Feeder, settings
) -> None:
    text = f"01.02.2024\n\n{MARKUP_TITLE}. Body with \ud800 a lone surrogate.\n"
    (settings.sources[0].path / "markup.txt").write_bytes(text.encode("utf-8", "surrogatepass"))
    feeder.refresh()
    feeds = settings.feeds_dir
    expected = "<script>alert(1)</script> & ]]> <b>bold</b> bell."
    for name in ("all.atom", "all.rss"):
        parsed = feedparser.parse((feeds / name).read_bytes())
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert expected in {entry.title for entry in parsed.entries}
    for page in [feeds / "index.html", *(feeds / "items").iterdir()]:
        html = page.read_text("utf-8")
        assert "<script>" not in html and "<b>bold" not in html


@pytest.mark.parametrize("day", ["31.02.2024", "00.00.0000", "32.13.2024"])
def test_an_impossible_date_is_named_and_its_text_kept(feeder: Feeder, settings, day: str) -> None:
    (settings.sources[0].path / "dates.txt").write_text(
        f"{day}\n\nSomething happened on an impossible day.\n", encoding="utf-8"
    )
    summary = feeder.refresh()
    assert any("dates.txt" in w and day in w for w in summary.warnings), summary.warnings
    _assert_seeds_published(feeder, settings.feeds_dir)
    titles = {item.title for item in feeder.items(limit=1000)}
    assert "Something happened on an impossible day." in titles


def test_a_far_future_date_is_named_and_published_as_first_seen(
    feeder: Feeder, settings, clock
) -> None:
    (settings.sources[0].path / "future.txt").write_text(
        f"{FAR_FUTURE}\n\nA message from the future.\n", encoding="utf-8"
    )
    summary = feeder.refresh()
    assert any("future.txt" in w and FAR_FUTURE in w for w in summary.warnings), summary.warnings
    parsed = feedparser.parse((settings.feeds_dir / "all.atom").read_bytes())
    (entry,) = [e for e in parsed.entries if e.title == "A message from the future."]
    assert entry.published == clock.now.isoformat()  # not 2999: it cannot lead for years


def _while_reading(page: Path, act: Callable[[Path], None]) -> Callable[[int, int, str], None]:
    """A progress callback doing `act` to `page` just before the refresh reads it."""

    def on_progress(done: int, total: int, path: str) -> None:
        if path == page.name:
            act(page)

    return on_progress


def test_a_file_deleted_before_it_is_read_is_named(feeder: Feeder, settings) -> None:
    page = settings.sources[0].path / "going.txt"
    page.write_text("01.02.2024\n\nSoon gone.\n")
    summary = feeder.refresh(on_progress=_while_reading(page, os.unlink))
    assert any("going.txt" in m for m in _messages(summary))
    _assert_seeds_published(feeder, settings.feeds_dir)


def test_a_file_truncated_while_read_is_read_again_next_time(
    feeder: Feeder, settings, clock
) -> None:
    page = settings.sources[0].path / "shrinking.txt"
    page.write_text("01.02.2024\n\nFirst item.\n\n02.02.2024\n\nSecond item.\n")
    feeder.refresh(on_progress=_while_reading(page, lambda p: os.truncate(p, 24)))
    clock.advance(minutes=5)
    page.write_text("01.02.2024\n\nFirst item.\n\n02.02.2024\n\nSecond item.\n")
    feeder.refresh()
    assert {"First item.", "Second item."} <= {item.title for item in feeder.items(limit=1000)}


@pytest.mark.slow
def test_one_file_of_100000_listing_items_is_stored_whole(feeder: Feeder, settings) -> None:
    lines = (
        f"{1 + n % 28:02d}.{1 + n // 28 % 12:02d}.{2000 + n // 336 % 25}\n\nEntry number {n}.\n\n"
        for n in range(100_000)
    )
    (settings.sources[0].path / "many.txt").write_text("".join(lines), encoding="utf-8")
    summary = feeder.refresh()
    assert not summary.errors
    assert feeder.store.item_count() == SEED_ITEMS + 100_000
