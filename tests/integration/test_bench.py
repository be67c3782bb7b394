"""The benchmark corpus and harness (feeder/bench): correct and deterministic. The
figures themselves are measured by `python -m benchmarks run`, never asserted here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.__main__ import main
from benchmarks.corpus import write_corpus
from benchmarks.measure import measure_http, render_table, run_benchmarks
from feeder import load_settings, make_feeder


def test_the_same_seed_writes_the_same_corpus(tmp_path: Path) -> None:
    write_corpus(tmp_path / "a", 40, 6, seed=7)
    write_corpus(tmp_path / "b", 40, 6, seed=7)
    write_corpus(tmp_path / "c", 40, 6, seed=8)
    read = {name: {p.name: p.read_bytes() for p in (tmp_path / name).iterdir()} for name in "abc"}
    assert read["a"] == read["b"] and read["a"] != read["c"]


def test_a_refresh_stores_exactly_the_corpus_distinct_items(tmp_path: Path) -> None:
    stats = write_corpus(tmp_path / "captures", 120, 8, overlap=0.3, seed=3)
    assert stats.listing_entries > stats.distinct_items  # re-captures repeat entries
    (tmp_path / "feeder.toml").write_text('[[sources]]\nname = "c"\npath = "captures"\n')
    with make_feeder(load_settings(cwd=tmp_path)) as feeder:
        summary = feeder.refresh()
        assert summary.ok and summary.warnings == []
        assert feeder.item_count() == stats.distinct_items
        counts = feeder.store.topic_counts()
    assert len(counts) >= 10  # topic words appear often enough to fill most topic feeds


def test_corpus_command_reports_what_it_wrote(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["corpus", str(tmp_path / "c"), "--files", "5", "--items-per-file", "3"]) == 0
    assert "5 files" in capsys.readouterr().out and len(list((tmp_path / "c").iterdir())) == 5


@pytest.mark.slow
@pytest.mark.e2e  # needs wrk and nginx
def test_run_measures_every_figure_against_its_baseline(tmp_path: Path) -> None:
    figures = run_benchmarks(tmp_path / "work", files=40, items_per_file=5, runs=1, http_seconds=1)
    names = [f.name for f in figures]
    assert names == [
        "cold ingest",
        "peak RSS of the cold ingest",
        "cold ingest cost per item",
        "topic tagging per item",
        "rescan, nothing changed",
        "rescan, 1% of files changed",
        "publish after a small change",
        "newest 50 items of a topic",
        "serve a feed, 200",
        "serve a feed, 304",
        "search feed latency, p95",
    ]
    by_name = {f.name: f for f in figures}
    assert all(f.runs and f.ratio is not None for f in figures if f.baseline_runs)
    assert set(by_name["cold ingest cost per item"].notes["us_per_item_median"]) == {
        "10%", "30%", "100%",
    }  # fmt: skip
    assert by_name["rescan, nothing changed"].notes["files_read"] == 0
    tagging = by_name["topic tagging per item"]  # against the occurrence rule, same items
    assert tagging.notes["items"] > 0 and tagging.baseline and tagging.median > 0
    assert tagging.ratio == tagging.median / tagging.baseline
    assert by_name["publish after a small change"].met  # not every feed was rendered
    plan = by_name["newest 50 items of a topic"].notes["query_plan"]
    assert plan and not any("TEMP B-TREE" in step for step in plan)
    for status in ("200", "304"):  # wrk, nginx and http.server each ran
        served = by_name[f"serve a feed, {status}"]
        assert served.runs[0] > 0 and served.baseline_runs[0] > 0
        # http.server may time out every connection of a 1-second run on a busy machine
        assert len(served.notes["http.server"]) == 1
    assert by_name["search feed latency, p95"].notes["requests"] == 100
    assert "cold ingest" in render_table(figures)
    json.dumps([f.as_dict() for f in figures], default=str)  # serialisable


def test_without_wrk_or_nginx_the_serve_figures_say_why_and_search_is_measured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(tmp_path / "captures", 30, 6, seed=5)
    (tmp_path / "feeder.toml").write_text('[[sources]]\nname = "c"\npath = "captures"\n')
    with make_feeder(load_settings(cwd=tmp_path)) as feeder:
        feeder.refresh()
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-installed"))
    figures = measure_http(tmp_path, tmp_path / "feeds", runs=1, seconds=1)
    assert [f.name for f in figures] == [
        "serve a feed, 200", "serve a feed, 304", "search feed latency, p95",
    ]  # fmt: skip
    assert all("wrk and nginx not installed" in f.notes["skipped"] for f in figures[:2])
    assert "wrk and nginx not installed" in render_table(figures)
    assert figures[2].notes["requests"] == 100
