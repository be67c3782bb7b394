"""A refresh that judges its items ahead in worker processes stores exactly what one
judging them itself stores: topics, stories and dates, chunk after chunk."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import ManualClock

from feeder import load_settings, make_feeder
from feeder.refresh import RefreshLimits

CAPTURES = Path(__file__).resolve().parents[2] / "stories" / "captures"


def stored_after_cold_refresh(work: Path, clock: ManualClock, workers: int) -> list[tuple]:
    shutil.copytree(CAPTURES, work / "captures")
    (work / "feeder.toml").write_text('[[sources]]\nname = "c"\npath = "captures"\n')
    # Small chunks: the next chunk is read and judged while one is stored.
    limits = RefreshLimits(files_per_transaction=7, judging_workers=workers, judging_from_items=1)
    with make_feeder(load_settings(cwd=work), clock) as feeder:
        assert feeder.refresh(limits=limits).ok
        return sorted(
            (i.key, i.topics, i.story, i.published, i.date_source, i.why)
            for i in feeder.store.iter_items()
        )


def test_judging_in_workers_stores_what_judging_here_does(
    tmp_path: Path, clock: ManualClock
) -> None:
    here = stored_after_cold_refresh(tmp_path / "here", clock, workers=0)
    pooled = stored_after_cold_refresh(tmp_path / "pooled", clock, workers=2)
    assert len(here) > 350
    assert any(story for _, _, story, *_ in here)  # stories were formed
    assert pooled == here
