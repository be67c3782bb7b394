"""Configuration: defaults, paths, and errors that name the file, key and reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REPO, SEEDS

from feeder.config import (
    ConfigError,
    FeedSourceConfig,
    FolderSourceConfig,
    HtmlSourceConfig,
    Settings,
    TopicConfig,
    load_settings,
)


def write(folder: Path, text: str) -> Path:
    path = folder / "feeder.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_config_file_reads_the_shipped_seeds_and_writes_to_the_working_folder(
    tmp_path: Path,
) -> None:
    settings = load_settings(cwd=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'feeder.db'}"
    assert settings.feeds_dir == tmp_path / "feeds"
    assert [s.path for s in settings.sources] == [SEEDS]
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
    assert [(s.name, s.path) for s in settings.sources] == [("seeds", SEEDS)]


def test_base_url_gets_a_trailing_slash(tmp_path: Path) -> None:
    write(tmp_path, 'base_url = "https://news.example.org/feeds"\n')
    assert load_settings(cwd=tmp_path).base_url == "https://news.example.org/feeds/"


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        ("feed_size = 0\n", "feed_size", "greater than or equal to 1"),
        ('feed_size = "many"\n', "feed_size", "valid integer"),
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
