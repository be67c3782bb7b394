"""First run and everyday use through the real CLI: which folder is read, `init`,
`--version`, refreshing some sources, listing entries by source, day and search,
honest counts, plain help and log levels."""

from __future__ import annotations

import json
import logging
import shutil
from importlib.metadata import version
from pathlib import Path

import pytest
from conftest import REPO, SEED_ENTRIES, SEED_ITEMS, SEEDS, configure
from typer.testing import CliRunner

from feeder import make_feeder
from feeder.cli import app
from feeder.cli.terminal import folder_shown
from feeder.config import SAMPLE_DIR, is_sample, load_settings

runner = CliRunner()


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FEEDER_CONFIG", raising=False)


def test_version_prints_the_installed_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"feeder {version('feeder')}"


def test_an_empty_folder_reads_the_sample_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["refresh"])
    assert result.exit_code == 0, result.output
    assert f"source 'seeds': reading {SAMPLE_DIR}" in result.stderr
    assert "the sample captures shipped with feeder" in result.stderr
    status = runner.invoke(app, ["status"], env={"COLUMNS": "400"})
    assert "sample captures" in status.stdout


def test_the_working_folders_seeds_are_read_without_a_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "seeds").mkdir()
    shutil.copy(sorted(SEEDS.glob("*.txt"))[-1], tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["refresh", "--json"])
    summary = json.loads(result.stdout)
    assert (summary["files_scanned"], summary["items_new"]) == (1, 5)
    shown = runner.invoke(app, ["refresh"])
    assert f"source 'seeds': reading {tmp_path / 'seeds'}\n" in shown.stderr


def test_init_writes_the_defaults_commented_and_never_overwrites(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    written = (tmp_path / "site" / "feeder.toml").read_text(encoding="utf-8")
    assert written.startswith("# feeder's configuration, written by `feeder init`")
    assert "# [[sources]]" in written and "# base_url = " in written
    # The file holds the built-in defaults: loading it changes nothing.
    assert load_settings(tmp_path / "site" / "feeder.toml") == load_settings(cwd=tmp_path / "site")
    again = runner.invoke(app, ["init", str(tmp_path / "site")])
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert runner.invoke(app, ["init", str(tmp_path / "site"), "--force"]).exit_code == 0


def test_refresh_source_refreshes_only_the_sources_named(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = workdir / "other"
    other.mkdir()
    shutil.copy(sorted(SEEDS.glob("*.txt"))[-1], other / "x.txt")
    configure(workdir, seeds='\n[[sources]]\nname = "other"\npath = "other"\n')
    monkeypatch.chdir(workdir)
    result = runner.invoke(app, ["refresh", "--source", "other", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["files_scanned"] == 1
    status = json.loads(runner.invoke(app, ["status", "--json"]).stdout)["sources"]
    assert status["seeds"]["last_scan"] is None and status["other"]["last_scan"]
    unknown = runner.invoke(app, ["refresh", "--source", "nope"])
    assert unknown.exit_code == 2 and "no source 'nope'" in unknown.stderr


def test_the_first_refresh_counts_each_item_once_and_none_unchanged(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(workdir)
    summary = json.loads(runner.invoke(app, ["refresh", "--json"]).stdout)
    assert (summary["items_new"], summary["items_unchanged"]) == (SEED_ITEMS, 0)
    table = runner.invoke(app, ["refresh"]).stdout
    assert "files read" in table and "web fetches" not in table


def test_items_shows_source_date_provenance_key_and_link_and_filters(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(workdir)
    runner.invoke(app, ["refresh", "--quiet"])
    listed = json.loads(runner.invoke(app, ["items", "--json", "-n", "50"]).stdout)
    assert len(listed) == SEED_ENTRIES
    assert {entry["source"] for entry in listed} == {"seeds"}
    table = runner.invoke(app, ["items", "-n", "1"], env={"COLUMNS": "400"}).stdout
    assert "dated by" in table and "source" in table and listed[0]["key"] in table
    # --since: only entries published on or after the day.
    days = sorted(entry["date"] for entry in listed)
    since = json.loads(runner.invoke(app, ["items", "--json", "--since", days[-1]]).stdout)
    assert since and all(entry["date"] >= days[-1] for entry in since)
    assert len(since) < len(listed)
    # --search: the query language of /search, one entry per story.
    found = json.loads(runner.invoke(app, ["items", "--json", "--search", "Nurgaliyev"]).stdout)
    assert found and all(
        "nurgaliyev" in (entry["title"] + json.dumps(entry)).lower() or entry["also"]
        for entry in found
    )
    assert len(found) < len(listed)
    both = runner.invoke(app, ["items", "--json", "--search", "CSTO", "--topic", "nato"])
    assert {e["key"] for e in json.loads(both.stdout)} <= {e["key"] for e in listed}
    assert json.loads(runner.invoke(app, ["items", "--json", "--source", "seeds"]).stdout)
    for args, message in [
        (["--source", "nope"], "--source: no source 'nope'"),
        (["--search", '"unclosed'], "--search:"),
        (["--topic", "nope"], "--topic: no topic 'nope'"),
    ]:
        wrong = runner.invoke(app, ["items", *args])
        assert wrong.exit_code == 2 and message in wrong.stderr, wrong.output


def test_help_shows_flags_without_a_value_and_names_what_feeder_reads() -> None:
    top = " ".join(runner.invoke(app, ["--help"]).stdout.split())
    assert "web sources" in top and "JSON Feed" in top
    for command in (["items"], ["refresh"], ["stories"], ["status"]):
        shown = runner.invoke(app, [*command, "--help"]).stdout
        assert "--json" in shown and "<bool>" not in shown, shown


def test_verbose_and_log_level_set_what_is_logged(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(workdir)
    assert runner.invoke(app, ["-v", "topics"]).exit_code == 0
    assert logging.getLogger().getEffectiveLevel() == logging.INFO
    assert runner.invoke(app, ["-vv", "topics"]).exit_code == 0
    assert logging.getLogger().getEffectiveLevel() == logging.DEBUG
    assert runner.invoke(app, ["--log-level", "error", "topics"]).exit_code == 0
    assert logging.getLogger().getEffectiveLevel() == logging.ERROR
    wrong = runner.invoke(app, ["--log-level", "loud", "topics"])
    assert wrong.exit_code == 2 and "--log-level: unknown level 'loud'" in wrong.stderr


def test_a_command_beside_a_service_keeps_the_address_the_feeds_were_published_under(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`feeder serve --port N` publishes its own address when none is configured; a
    refresh or a decision by hand run beside it must not write the default one."""
    settings = load_settings(cwd=workdir)
    assert not settings.base_url_configured
    served = settings.model_copy(update={"base_url": "http://127.0.0.1:18457/"})
    with make_feeder(served) as feeder:  # as the service publishes
        feeder.refresh()
    (workdir / "seeds" / "005_new.txt").write_text(
        "01.12.2026\n\nNATO observers visited Minsk in December.\n", encoding="utf-8"
    )
    monkeypatch.chdir(workdir)
    assert runner.invoke(app, ["refresh", "--quiet"]).exit_code == 0
    published = (workdir / "feeds" / "all.atom").read_text(encoding="utf-8")
    assert "http://127.0.0.1:18457/" in published and ":8080/" not in published
    assert "in December" in published


def test_a_checkouts_own_seeds_are_not_called_the_sample() -> None:
    (source,) = load_settings(cwd=REPO).sources
    assert source.path == REPO / "seeds" and not is_sample(source.path)
    assert "sample" not in folder_shown(source)
