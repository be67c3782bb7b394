"""The CLI end to end: real config, folder, database and output in a temp folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import configure
from typer.testing import CliRunner

from feeder.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def in_workdir(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(workdir)
    monkeypatch.delenv("FEEDER_CONFIG", raising=False)
    return workdir


def test_refresh_prints_a_summary_table_and_exits_0(workdir: Path) -> None:
    result = runner.invoke(app, ["refresh"])
    assert result.exit_code == 0, result.output
    assert "items new / updated" in result.stdout and "17 / 0" in result.stdout
    assert (workdir / "feeds" / "all.atom").exists() and (workdir / "feeder.db").exists()


def test_refresh_json_summary(workdir: Path) -> None:
    runner.invoke(app, ["refresh", "--quiet"])
    result = runner.invoke(app, ["refresh", "--json"])
    summary = json.loads(result.stdout)
    assert result.exit_code == 0
    assert (summary["files_unchanged"], summary["items_new"], summary["feeds_written"]) == (5, 0, 0)
    assert summary["feeds_unchanged"] == 64  # 16 feeds: Atom, RSS, JSON Feed and HTML


def test_quiet_refresh_prints_nothing_on_success() -> None:
    result = runner.invoke(app, ["refresh", "--quiet"])
    assert result.exit_code == 0 and result.output == ""


def test_failed_input_exits_1_names_the_source_and_publishes_the_rest(workdir: Path) -> None:
    configure(workdir, '[[sources]]\nname = "web"\npath = "gone"\n')
    result = runner.invoke(app, ["refresh"])
    assert result.exit_code == 1
    assert "source 'web'" in result.stderr and "does not exist" in result.stderr
    assert "17 / 0" in result.stdout and (workdir / "feeds" / "all.atom").exists()


def test_binary_file_is_skipped_with_a_warning_and_exit_0(workdir: Path) -> None:
    (workdir / "seeds" / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    result = runner.invoke(app, ["refresh"])
    assert result.exit_code == 0
    assert "warning:" in result.stderr and "broken.txt" in result.stderr


def test_config_error_exits_2_naming_file_and_key(workdir: Path) -> None:
    configure(workdir, "feed_size = -1\n")
    result = runner.invoke(app, ["refresh"])
    assert result.exit_code == 2
    assert f"{workdir / 'feeder.toml'}: feed_size:" in result.stderr


def test_config_option_and_environment_variable(workdir: Path, tmp_path_factory) -> None:
    other = tmp_path_factory.mktemp("elsewhere") / "custom.toml"
    other.write_text(
        f'feeds_dir = "published"\n[[sources]]\nname = "s"\npath = "{workdir / "seeds"}"\n'
    )
    assert runner.invoke(app, ["refresh", "-q", "--config", str(other)]).exit_code == 0
    assert (other.parent / "published" / "all.rss").exists()
    result = runner.invoke(app, ["topics", "--json"], env={"FEEDER_CONFIG": str(other)})
    assert {t["slug"]: t["items"] for t in json.loads(result.stdout)}["nato"] == 2


def test_database_failure_exits_3(workdir: Path) -> None:
    configure(workdir, 'database_url = "sqlite:////nonexistent-dir/x.db"\n')
    result = runner.invoke(app, ["refresh"])
    assert result.exit_code == 3 and "nonexistent-dir" in result.stderr


def test_items_lists_newest_first_and_filters_by_topic() -> None:
    runner.invoke(app, ["refresh", "-q"])
    result = runner.invoke(app, ["items", "--topic", "nato", "--limit", "2", "--json"])
    rows = json.loads(result.stdout)
    assert result.exit_code == 0 and len(rows) == 2
    assert all("nato" in row["topics"] for row in rows)
    assert rows[0]["date"] >= rows[1]["date"]


def test_items_with_unknown_topic_is_a_clear_error() -> None:
    result = runner.invoke(app, ["items", "--topic", "weather"])
    assert result.exit_code == 2 and "no topic 'weather'" in result.stderr


def test_topics_table_shows_counts() -> None:
    runner.invoke(app, ["refresh", "-q"])
    result = runner.invoke(app, ["topics"])
    assert result.exit_code == 0 and "Kyrgyzstan" in result.stdout


def test_help_is_written_for_a_newcomer() -> None:
    result = runner.invoke(app, ["refresh", "--help"])
    assert "Exit status" in result.stdout and "--config" in result.stdout


def test_without_any_config_refresh_ingests_the_shipped_seeds(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path_factory.mktemp("anywhere")
    monkeypatch.chdir(empty)
    result = runner.invoke(app, ["refresh"])
    assert result.exit_code == 0, result.output
    assert "17 / 0" in result.stdout
    assert (empty / "feeds" / "all.atom").exists() and (empty / "feeder.db").exists()


def test_status_shows_sources_topics_and_locations_without_a_service(workdir: Path) -> None:
    runner.invoke(app, ["refresh", "-q"])
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert "service: not running" in result.stdout and str(workdir / "feeder.db") in result.stdout
    assert "seeds" in result.stdout and "ok" in result.stdout and "kazakhstan" in result.stdout
    document = json.loads(runner.invoke(app, ["status", "--json"]).stdout)
    assert document["service_pid"] is None and document["topics"]["nato"] == 2
    assert document["sources"]["seeds"]["failures"] == 0


def test_status_on_postgresql_names_the_worker_that_scanned_each_source(
    workdir: Path, postgres_schema_url: str
) -> None:
    configure(workdir, f'database_url = "{postgres_schema_url}"\n')
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["refresh", "--quiet"]).exit_code == 0
    result = runner.invoke(app, ["status", "--json"])
    status = json.loads(result.stdout)
    assert status["shared"] is True and status["service_pid"] is None
    seeds = status["sources"]["seeds"]
    assert seeds["worker"].count(":") == 3 and seeds["scanning"] is False
    table = runner.invoke(app, ["status"])
    assert "any number of workers share this database" in table.stdout


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("colour = 1\n", "colour: unknown key"),
        ('feed_size = "many"\n', "feed_size:"),
        ('[topics.nato]\ntitle = "NATO"\nkeywords = ["NA*TO"]\n', "topics.nato.keywords"),
        (
            '[topics.nato]\ntitle = "A"\nkeywords = ["a"]\n[topics.nato]\ntitle = "B"\n',
            "'topics', 'nato'",
        ),
        ('[topics.nato]\ntitle = "N"\nkeywords = ["a"]\nignore = ["* a"]\n', "topics.nato.ignore"),
        ('[topics.nato]\ntitle = "N"\nkeywords = ["a"]\nmin_score = 0\n', "topics.nato.min_score"),
        (
            '[topics.nato]\ntitle = "N"\nkeywords = ["a"]\ninclude_items = ["seed-000"]\n',
            "topics.nato.include_items",
        ),
        (
            '[topics.nato]\ntitle = "N"\nkeywords = ["a"]\ninclude_items = ["'
            + "a" * 24
            + '"]\nexclude_items = ["'
            + "a" * 24
            + '"]\n',
            "include_items and exclude_items both list",
        ),
    ],
    ids=[
        "unknown key",
        "wrong type",
        "invalid keyword pattern",
        "two topics with one slug",
        "invalid ignore pattern",
        "threshold not positive",
        "not an item key",
        "a key both in and out",
    ],
)
def test_every_config_error_exits_2_naming_the_key(workdir: Path, text: str, key: str) -> None:
    configure(workdir, text)
    result = runner.invoke(app, ["refresh"])
    assert result.exit_code == 2, result.output
    assert str(workdir / "feeder.toml") in result.stderr and key in result.stderr


def test_an_unreadable_config_file_exits_2_naming_it(workdir: Path) -> None:
    config = workdir / "feeder.toml"
    config.unlink()
    config.symlink_to("/proc/self/mem")  # unreadable even for root (EIO)
    result = runner.invoke(app, ["refresh"])
    assert result.exit_code == 2, result.output
    assert f"{config}: cannot read" in result.stderr
