"""Configuration: defaults, paths, and errors that name the file, key and reason."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SEEDS

from feeder.config import (
    SAMPLE_DIR,
    ConfigError,
    FeedSourceConfig,
    FolderSourceConfig,
    HtmlSourceConfig,
    Settings,
    TopicConfig,
    is_sample,
    load_settings,
)


def write(folder: Path, text: str) -> Path:
    path = folder / "feeder.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_config_file_reads_the_packaged_sample_and_writes_to_the_working_folder(
    tmp_path: Path,
) -> None:
    settings = load_settings(cwd=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'feeder.db'}"
    assert settings.feeds_dir == tmp_path / "feeds"
    assert [s.path for s in settings.sources] == [SAMPLE_DIR]
    assert is_sample(SAMPLE_DIR) and sorted(p.name for p in SAMPLE_DIR.glob("*.txt")) == sorted(
        p.name for p in SEEDS.glob("*.txt")
    )
    assert settings.feed_size == 50 and settings.timezone == "UTC"
    expected = {
        "peacekeeping",
        "exercises",
        "afghanistan",
        "drug-trafficking",
        "terrorism",
        "migration",
        "information-security",
        "biological-security",
        "nato",
        "armenia",
        "belarus",
        "kazakhstan",
        "kyrgyzstan",
        "russia",
        "tajikistan",
    }
    assert set(settings.topics) == expected


def test_the_working_folders_own_seeds_win_over_the_sample(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    assert [s.path for s in load_settings(cwd=tmp_path).sources] == [tmp_path / "seeds"]
    # A config file without sources: the seeds beside it, wherever feeder runs.
    (tmp_path / "site" / "seeds").mkdir(parents=True)
    config = write(tmp_path / "site", 'title = "Mine"\n')
    assert [s.path for s in load_settings(config).sources] == [tmp_path / "site" / "seeds"]


def test_relative_paths_are_taken_from_the_config_files_folder(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    config = write(
        tmp_path / "conf",
        'feeds_dir = "out"\ndatabase_url = "sqlite:///data/f.db"\n'
        '[[sources]]\nname = "a"\npath = "../captures"\n',
    )
    settings = load_settings(config, cwd=Path("/"))
    assert settings.feeds_dir == tmp_path / "conf" / "out"
    assert settings.database_url == f"sqlite:///{tmp_path / 'conf' / 'data' / 'f.db'}"
    assert settings.sources[0].path == tmp_path / "conf" / ".." / "captures"


def test_a_table_in_the_file_replaces_the_default_table(tmp_path: Path) -> None:
    write(tmp_path, '[topics.one]\ntitle = "One"\nkeywords = ["one"]\n')
    settings = load_settings(cwd=tmp_path)
    assert list(settings.topics) == ["one"]
    assert [(s.name, s.path) for s in settings.sources] == [("seeds", SAMPLE_DIR)]


def test_base_url_gets_a_trailing_slash(tmp_path: Path) -> None:
    write(tmp_path, 'base_url = "https://news.example.org/feeds"\n')
    assert load_settings(cwd=tmp_path).base_url == "https://news.example.org/feeds/"


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        ("feed_size = 0\n", "feed_size", "greater than or equal to 1"),
        ('feed_size = "many"\n', "feed_size", "must be an integer (got 'many')"),
        ("colour = 1\n", "colour", "unknown key"),
        ('base_url = "ftp://x/"\n', "base_url", "not an http(s) URL"),
        ('timezone = "Mars/Olympus"\n', "timezone", "unknown time zone"),
        ('tag_authority = "example.org"\n', "tag_authority", "RFC 4151"),
        (
            '[topics.all]\ntitle = "x"\nkeywords = ["x"]\n',
            "topics",
            "not 'all', 'search' or 'index'",
        ),
        ('[topics.search]\ntitle = "x"\nkeywords = ["x"]\n', "topics", "'search'"),
        ('[topics.Bad_Slug]\ntitle = "x"\nkeywords = ["x"]\n', "topics", "lowercase"),
        ('[topics.nato]\ntitle = "NATO"\nkeywords = []\n', "topics.nato.keywords", "at least 1"),
        (
            '[topics.nato]\ntitle = "NATO"\nkeywords = ["NA*TO"]\n',
            "topics.nato.keywords",
            "'*' may only end",
        ),
        ('[topics.nato]\nkeywords = ["NATO"]\n', "topics.nato.title", "Field required"),
        (
            '[[sources]]\nname = "web"\npath = "x"\ntype = "ftp"\n',
            "sources[name='web'].type",
            "unknown source type 'ftp' (use folder, feed, text, html)",
        ),
        (
            '[[sources]]\nname = "a"\npath = "x"\n[[sources]]\nname = "a"\npath = "y"\n',
            "sources",
            "unique",
        ),
        ('[[sources]]\nname = "a"\n', "sources[name='a'].path", "Field required"),
        (
            '[[sources]]\nname = "a"\npath = "x"\npattern = "../*"\n',
            "sources[name='a'].pattern",
            "'..'",
        ),
        (
            '[[sources]]\nname = "a"\npath = "x"\npattern = "/etc/*"\n',
            "sources[name='a'].pattern",
            "relative",
        ),
        ('title = "CSTO\\u0007 news"\n', "title", "control characters"),
        (
            '[topics.x]\ntitle = "X"\nkeywords = ["a\\u0000b"]\n',
            "topics.x.keywords[0]",
            "control characters",
        ),
    ],
)
def test_config_errors_name_the_file_the_key_and_the_reason(
    tmp_path: Path, text: str, key: str, reason: str
) -> None:
    config = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(cwd=tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{config}: {key}: "), message
    assert reason in message


def test_invalid_toml_names_the_file_and_the_line(tmp_path: Path) -> None:
    config = write(tmp_path, "title = \n")
    with pytest.raises(ConfigError, match=re.escape(str(config)) + r": not valid TOML: .*line 1"):
        load_settings(cwd=tmp_path)


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml")


def test_readme_documents_every_setting() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for model in (Settings, FolderSourceConfig, FeedSourceConfig, HtmlSourceConfig, TopicConfig):
        for name in model.model_fields:
            assert f"`{name}`" in readme, f"README does not document `{name}`"


WEB = '[[sources]]\nname = "w"\ntype = "feed"\n'


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("ftp://example.org/feed", "only http and https"),
        ("https://user:secret@example.org/feed", "credentials in a URL are not allowed"),
        ("https://trusted.example@evil.example/", "credentials in a URL are not allowed"),
        ("https://example.org\\\\@evil/", "backslash"),
        ("https://exa mple.org/", "backslash or whitespace"),
        ("https:///nohost", "has no host"),
        ("https://example.org:99999/", "invalid port"),
    ],
)
def test_web_source_urls_are_checked_at_load_with_the_key_named(
    tmp_path: Path, url: str, reason: str
) -> None:
    config = write(tmp_path, f"{WEB}url = {url!r}\n".replace("'", '"'))
    with pytest.raises(ConfigError) as caught:
        load_settings(cwd=tmp_path)
    assert str(caught.value).startswith(f"{config}: sources[name='w'].url: ")
    assert reason in str(caught.value) and "secret" not in str(caught.value)


def test_web_sources_load_with_their_defaults(tmp_path: Path) -> None:
    write(tmp_path, f'{WEB}url = "https://example.org/rss"\n')
    (source,) = load_settings(cwd=tmp_path).sources
    assert isinstance(source, FeedSourceConfig)
    assert (source.interval, source.max_bytes, source.timeout) == (900.0, 10_000_000, 30.0)
    assert source.allow_private_networks is None
    assert source.max_new_items == 1000


@pytest.mark.parametrize("bad", ["0", "-1", "1000001"])
def test_max_new_items_is_a_positive_bounded_integer(tmp_path: Path, bad: str) -> None:
    config = write(tmp_path, f'{WEB}url = "https://example.org/rss"\nmax_new_items = {bad}\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(cwd=tmp_path)
    assert str(caught.value).startswith(f"{config}: sources[name='w'].max_new_items: ")


def test_an_html_source_needs_valid_selectors(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        '[[sources]]\nname = "h"\ntype = "html"\nurl = "https://e.org/"\n'
        'item = "div["\ntitle = "h2"\n',
    )
    with pytest.raises(
        ConfigError, match=r"sources\[name='h'\]\.item: 'div\[' is not a CSS selector"
    ):
        load_settings(config)


FOLDER = '[[sources]]\nname = "a"\npath = "captures"\n'
HTML = (
    '[[sources]]\nname = "h"\ntype = "html"\nurl = "https://e.org/"\nitem = ".item"\ntitle = "h3"\n'
)
TOPIC = '[topics.nato]\ntitle = "NATO"\nkeywords = ["NATO"]\n'


NOT_A_DURATION = "must be a duration: seconds, or a string like '30s', '5m' or '1h'"
W = f'{WEB}url = "https://e.org/"\n'


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        # booleans are TOML booleans
        (
            'allow_private_networks = "yes"\n',
            "allow_private_networks",
            "must be true or false (got 'yes')",
        ),
        ("allow_private_networks = 1\n", "allow_private_networks", "must be true or false (got 1)"),
        (
            f'{W}allow_private_networks = "true"\n',
            "sources[name='w'].allow_private_networks",
            "must be true or false (got 'true')",
        ),
        (
            f"{HTML}follow_links = 1\n",
            "sources[name='h'].follow_links",
            "must be true or false (got 1)",
        ),
        # integers are TOML integers
        ('feed_size = "20"\n', "feed_size", "must be an integer (got '20')"),
        ("feed_size = 20.0\n", "feed_size", "must be an integer (got 20.0)"),
        ("feed_size = true\n", "feed_size", "must be an integer (got true)"),
        (
            f'{FOLDER}max_bytes = "5000"\n',
            "sources[name='a'].max_bytes",
            "must be an integer (got '5000')",
        ),
        (
            f"{W}max_bytes = 1e7\n",
            "sources[name='w'].max_bytes",
            "must be an integer (got 10000000.0)",
        ),
        (
            f'{W}max_new_items = "500"\n',
            "sources[name='w'].max_new_items",
            "must be an integer (got '500')",
        ),
        # floats are TOML numbers
        (f'{TOPIC}min_score = "3"\n', "topics.nato.min_score", "must be a number (got '3')"),
        (f"{TOPIC}min_score = true\n", "topics.nato.min_score", "must be a number (got true)"),
        # strings are strings, never TOML dates, times or numbers
        ("title = 2026-06-06\n", "title", "must be a string (got 2026-06-06)"),
        ("timezone = 12:00:00\n", "timezone", "must be a string (got 12:00:00)"),
        (
            "database_url = 2026-06-06T10:00:00Z\n",
            "database_url",
            "must be a string (got 2026-06-06T10:00:00+00:00)",
        ),
        ("base_url = 1\n", "base_url", "must be a string (got 1)"),
        ('tag_authority = ["a"]\n', "tag_authority", "must be a string (got ['a'])"),
        ("websub_hub = 1\n", "websub_hub", "must be a string (got 1)"),
        (f"{FOLDER}pattern = 1\n", "sources[name='a'].pattern", "must be a string (got 1)"),
        (
            f"{WEB}url = 2026-06-06\n",
            "sources[name='w'].url",
            "must be a string (got 2026-06-06)",
        ),
        (f"{HTML}date_format = 1\n", "sources[name='h'].date_format", "must be a string (got 1)"),
        (f"{HTML}content = false\n", "sources[name='h'].content", "must be a string (got false)"),
        (
            '[topics.nato]\ntitle = 1\nkeywords = ["NATO"]\n',
            "topics.nato.title",
            "must be a string (got 1)",
        ),
        (
            '[topics.nato]\ntitle = "NATO"\nkeywords = ["NATO", 1]\n',
            "topics.nato.keywords[1]",
            "must be a string (got 1)",
        ),
        (
            f"{TOPIC}include_items = [1]\n",
            "topics.nato.include_items[0]",
            "must be a string (got 1)",
        ),
        # paths are strings
        ("feeds_dir = 1\n", "feeds_dir", "must be a path given as a string (got 1)"),
        (
            '[[sources]]\nname = "a"\npath = 2026-06-06\n',
            "sources[name='a'].path",
            "must be a path given as a string (got 2026-06-06)",
        ),
        # durations are seconds or a duration string
        (
            'source_lease = "soon"\n',
            "source_lease",
            "'soon' is not a duration like 90, '30s', '5m' or '1h'",
        ),
        ("source_lease = true\n", "source_lease", f"{NOT_A_DURATION} (got true)"),
        ("source_lease = 00:10:00\n", "source_lease", f"{NOT_A_DURATION} (got 00:10:00)"),
        ("source_lease = inf\n", "source_lease", "inf is not a finite duration"),
        (f"{FOLDER}interval = nan\n", "sources[name='a'].interval", "nan is not a finite duration"),
        (f"{W}timeout = false\n", "sources[name='w'].timeout", f"{NOT_A_DURATION} (got false)"),
        # arrays and tables
        (
            '[topics.nato]\ntitle = "NATO"\nkeywords = "NATO"\n',
            "topics.nato.keywords",
            "must be an array (got 'NATO')",
        ),
        ('sources = ["seeds"]\n', "sources[0]", "must be a table (got 'seeds')"),
        ("topics = []\n", "topics", "must be a table (got [])"),
        (
            '[[sources]]\nname = "a"\ntype = 1\n',
            "sources[name='a'].type",
            "unknown source type 1 (use folder, feed, text, html)",
        ),
    ],
)
def test_a_value_of_the_wrong_toml_type_is_an_error_naming_file_and_key_not_coerced(
    tmp_path: Path, text: str, key: str, reason: str
) -> None:
    config = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(cwd=tmp_path)
    assert str(caught.value) == f"{config}: {key}: {reason}"


def test_each_setting_accepts_its_own_toml_type_and_numbers_for_floats(tmp_path: Path) -> None:
    write(
        tmp_path,
        'title = "News"\nbase_url = "https://news.example/"\ntag_authority = "news.example,2026"\n'
        'database_url = "sqlite:///data.db"\nfeeds_dir = "out"\ntimezone = "Europe/Minsk"\n'
        "feed_size = 20\nallow_private_networks = true\nsource_lease = 600\n"
        'websub_hub = "https://hub.example/"\n'
        '[[sources]]\nname = "a"\npath = "captures"\npattern = "*.txt"\ninterval = 90\n'
        "max_bytes = 5000\n"
        '[[sources]]\nname = "h"\ntype = "html"\nurl = "https://e.org/"\ninterval = "1.5h"\n'
        'timeout = 12.5\nallow_private_networks = false\nmax_bytes = 2000\nitem = ".item"\n'
        'title = "h3"\ndate = ".date"\ndate_format = "%d.%m.%Y"\nlink = "a"\nsummary = "p"\n'
        'follow_links = true\ncontent = "main"\n'
        '[topics.nato]\ntitle = "NATO"\nkeywords = ["NATO"]\nexclude = ["x"]\n'
        'ignore = ["NATO-standard*"]\nmin_score = 2\ninclude_items = ["0123456789abcdef01234567"]\n'
        "exclude_items = []\n",
    )
    settings = load_settings(cwd=tmp_path)
    folder, html = settings.sources
    assert isinstance(folder, FolderSourceConfig) and isinstance(html, HtmlSourceConfig)
    assert (settings.feed_size, settings.allow_private_networks) == (20, True)
    assert settings.feeds_dir == tmp_path / "out" and folder.path == tmp_path / "captures"
    assert isinstance(settings.source_lease, float) and settings.source_lease == 600
    assert (folder.interval, folder.max_bytes) == (90.0, 5000)
    assert (html.interval, html.timeout, html.allow_private_networks) == (5400.0, 12.5, False)
    assert html.follow_links is True and html.date_format == "%d.%m.%Y"
    min_score = settings.topics["nato"].min_score
    assert isinstance(min_score, float) and min_score == 2


@pytest.mark.parametrize(
    ("written", "seconds"),
    [("90", 90.0), ("90.5", 90.5), ('"90"', 90.0), ('"30s"', 30.0), ('"5m"', 300.0),
     ('"10m"', 600.0), ('"1.5h"', 5400.0), ('"1d"', 86400.0), ('"1500ms"', 1.5)],
)  # fmt: skip
def test_durations_written_as_documented_still_load(
    tmp_path: Path, written: str, seconds: float
) -> None:
    write(tmp_path, f"source_lease = {written}\n{FOLDER}interval = {written}\n")
    settings = load_settings(cwd=tmp_path)
    assert settings.source_lease == seconds and settings.sources[0].interval == seconds


def test_the_cli_refuses_a_wrongly_typed_setting_with_exit_2_naming_file_and_key(
    tmp_path: Path,
) -> None:
    config = write(tmp_path, 'feed_size = "20"\nallow_private_networks = "yes"\n')
    result = subprocess.run(
        [sys.executable, "-m", "feeder", "refresh", "--config", str(config)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"config error: {config}: feed_size: must be an integer (got '20')",
        f"{config}: allow_private_networks: must be true or false (got 'yes')",
    ]
    assert not (tmp_path / "feeder.db").exists() and not (tmp_path / "feeds").exists()
