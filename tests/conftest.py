"""Shared fixtures: a copy of the shipped seeds in a temporary folder, settings
pointing at it, and a clock the tests move by hand."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from feeder import Feeder, Settings, load_settings, make_feeder

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


class ManualClock:
    """A clock that only moves when a test says so."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 24, 9, 30, tzinfo=UTC))


SEED_SOURCE = '\n[[sources]]\nname = "seeds"\npath = "seeds"\n'


def configure(folder: Path, text: str = "", seeds: str = "") -> Path:
    """Write `folder/feeder.toml`: `text` (top-level keys first) plus a source reading
    `folder/seeds` with the extra keys `seeds`, so tests may change their seed copy
    without touching the shipped one."""
    path = folder / "feeder.toml"
    path.write_text(text + SEED_SOURCE + seeds, encoding="utf-8")
    return path


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A folder with a private copy of the shipped seeds as `seeds/`, configured as the source."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    configure(tmp_path)
    return tmp_path


@pytest.fixture
def settings(workdir: Path) -> Settings:
    return load_settings(cwd=workdir)


@pytest.fixture
def feeder(settings: Settings, clock: ManualClock) -> Iterator[Feeder]:
    with make_feeder(settings, clock) as instance:
        yield instance


def seed(prefix: str) -> Path:
    """The shipped seed whose name starts with `prefix` (e.g. "002")."""
    (match,) = [p for p in SEED_FILES if p.name.startswith(prefix)]
    return match


@pytest.fixture
def published(feeder: Feeder, settings: Settings) -> Path:
    """The output folder after one refresh of the seeds."""
    feeder.refresh()
    return settings.feeds_dir
