"""Configuration: load and validate `feeder.toml` once. Contains no business logic.

Every setting has a default (see `default.toml` in this package); a file only
needs the keys it changes, and a table it gives (`sources`, `topics`) replaces
the default one. Errors name the file, the key and the reason.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cssselect import GenericTranslator, SelectorError
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from feeder.config_errors import describe, shown
from feeder.model import ListingSelectors
from feeder.normalize import clean_text, mask_url
from feeder.topics import DEFAULT_MIN_SCORE, Topic, keyword_pattern

DEFAULT_CONFIG = Path(__file__).with_name("default.toml")
# The built-in source: the working folder's `seeds/` when there is one, else the sample
# captures shipped inside the package (the repository's `seeds/`, as package data).
SAMPLE_DIR = Path(__file__).resolve().parent / "sample"
DEFAULT_SEEDS = "seeds"
CONFIG_NAME = "feeder.toml"
ALL_FEED = "all"
# `all` is the feed of everything; /search.atom is the search feed.
# `index.html` is the front page.
RESERVED_SLUGS = frozenset({ALL_FEED, "search", "index"})
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
_ITEM_KEY = re.compile(r"[0-9a-f]{24}")
# RFC 4151 taggingEntity: a domain name or e-mail address, a comma, a date.
_TAGGING_ENTITY = re.compile(
    r"([\w.-]+@)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?,\d{4}(-\d{2}){0,2}"
)


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file, key and reason."""


def _xml_safe(value: str) -> str:
    if clean_text(value) != value:
        raise ValueError(f"{value!r} contains control characters that feeds cannot carry")
    return value


# Text that ends up in feeds and pages: control characters are refused at load.
FeedText = Annotated[str, AfterValidator(_xml_safe)]


class _Strict(BaseModel):
    # strict: a value of the wrong TOML type is an error, never coerced ("20" is not 20,
    # "yes" is not true); a float field still takes a TOML integer.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# A path is written as a TOML string; strict Path would take only Path objects.
TomlPath = Annotated[Path, Field(strict=False)]


class TopicConfig(_Strict):
    title: FeedText = Field(min_length=1)
    keywords: list[FeedText] = Field(min_length=1)
    exclude: list[FeedText] = []  # any of these in an item keeps it out of the topic
    ignore: list[FeedText] = []  # keyword matches inside these phrases do not count
    min_score: float = Field(DEFAULT_MIN_SCORE, gt=0, le=1000)  # relevance threshold
    include_items: list[str] = []  # item keys always in the topic
    exclude_items: list[str] = []  # item keys never in it

    @field_validator("keywords", "exclude", "ignore")
    @classmethod
    def _valid_keywords(cls, terms: list[str]) -> list[str]:
        for term in terms:
            keyword_pattern(term)  # raises ValueError naming the bad keyword
        return terms

    @field_validator("include_items", "exclude_items")
    @classmethod
    def _item_keys(cls, keys: list[str]) -> list[str]:
        for key in keys:
            if not _ITEM_KEY.fullmatch(key):
                raise ValueError(f"{key!r} is not an item key (see `feeder items --json`)")
        return keys

    @model_validator(mode="after")
    def _listed_once(self) -> TopicConfig:
        if both := sorted(set(self.include_items) & set(self.exclude_items)):
            raise ValueError(f"include_items and exclude_items both list {', '.join(both)}")
        return self


_DURATION = re.compile(r"(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>ms|s|m|h|d)?")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


def parse_duration(value: object) -> float:
    """Seconds from a number or a string like `90`, `30s`, `5m`, `1.5h`, `1d`."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.fullmatch(value.strip())):
        seconds = float(match["number"]) * _UNIT_SECONDS[match["unit"]]
    elif isinstance(value, str):
        raise ValueError(f"{value!r} is not a duration like 90, '30s', '5m' or '1h'")
    else:  # a TOML boolean, date or time is not a number of seconds
        raise ValueError(
            f"must be a duration: seconds, or a string like '30s', '5m' or '1h' "
            f"(got {shown(value)})"
        )
    if not math.isfinite(seconds):
        raise ValueError(f"{shown(value)} is not a finite duration")
    if seconds < 1:
        raise ValueError(f"{value!r} is shorter than one second")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]


class FolderSourceConfig(_Strict):
    name: FeedText = Field(min_length=1)
    type: Literal["folder"] = "folder"
    path: TomlPath
    pattern: str = "*.txt"
    interval: Duration = 300.0  # seconds between scheduled rescans
    # Larger files are skipped with a warning, never read: 100,000 listing entries
    # take about 15 MB.
    max_bytes: int = Field(32_000_000, ge=1_000, le=1_000_000_000)

    @property
    def location(self) -> str:
        return str(self.path)

    @field_validator("pattern")
    @classmethod
    def _inside_folder(cls, pattern: str) -> str:
        if not pattern or pattern.startswith("/") or ".." in Path(pattern).parts:
            raise ValueError(f"{pattern!r} must be a relative glob inside the folder, without '..'")
        return pattern


def web_url(value: str) -> str:
    """An absolute http(s) URL with no tricks: no credentials, backslashes or controls."""
    shown = repr(mask_url(value)) if isinstance(value, str) else repr(value)
    if not isinstance(value, str) or value != value.strip() or clean_text(value) != value:
        raise ValueError(f"{shown} is not a clean URL")
    if "\\" in value or any(c.isspace() for c in value):
        raise ValueError(f"{shown} contains a backslash or whitespace")
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"{shown}: only http and https URLs are allowed")
    if not parts.hostname:
        raise ValueError(f"{shown} has no host")
    if "@" in parts.netloc:
        raise ValueError("credentials in a URL are not allowed (they would end up in logs)")
    try:
        parts.port  # noqa: B018 -- raises ValueError for a bad port
    except ValueError as exc:
        raise ValueError(f"{shown} has an invalid port") from exc
    return value


WebURL = Annotated[str, AfterValidator(web_url)]


class _WebSourceConfig(_Strict):
    name: FeedText = Field(min_length=1)
    url: WebURL
    interval: Duration = 900.0
    # None: the global `allow_private_networks` decides.
    allow_private_networks: bool | None = None
    max_bytes: int = Field(10_000_000, ge=1_000, le=1_000_000_000)
    timeout: Duration = 30.0  # total deadline for one request, body included
    # New items stored per fetch; the rest wait for the next fetches (oldest first), so
    # one huge feed cannot flood a refresh and every feed at once.
    max_new_items: int = Field(1000, ge=1, le=1_000_000)

    @property
    def location(self) -> str:
        return self.url


class FeedSourceConfig(_WebSourceConfig):
    """An RSS or Atom feed."""

    type: Literal["feed"]


class TextSourceConfig(_WebSourceConfig):
    """A plain-text capture in the seed format, on the web."""

    type: Literal["text"]


class HtmlSourceConfig(_WebSourceConfig):
    """A news listing page, read with CSS selectors."""

    type: Literal["html"]
    item: str = Field(min_length=1)  # one block per news item
    title: str = Field(min_length=1)  # inside the block
    date: str | None = None
    link: str | None = None
    summary: str | None = None
    date_format: str | None = None  # strptime format; DD.MM.YYYY and English forms without it
    follow_links: bool = False
    content: str = "article, main, body"  # on a followed page: where the full text is

    @property
    def selectors(self) -> ListingSelectors:
        return ListingSelectors(
            self.item, self.title, self.date, self.link, self.summary, self.date_format
        )

    @field_validator("item", "title", "date", "link", "summary", "content")
    @classmethod
    def _valid_selector(cls, selector: str | None) -> str | None:
        if selector is not None:
            try:
                GenericTranslator().css_to_xpath(selector)
            except SelectorError as exc:
                raise ValueError(f"{selector!r} is not a CSS selector: {exc}") from None
        return selector


WebSourceConfig = FeedSourceConfig | TextSourceConfig | HtmlSourceConfig
SourceConfig = Annotated[
    Annotated[FolderSourceConfig, Tag("folder")]
    | Annotated[FeedSourceConfig, Tag("feed")]
    | Annotated[TextSourceConfig, Tag("text")]
    | Annotated[HtmlSourceConfig, Tag("html")],
    # Anything but a table goes to the folder source, whose error says "must be a table".
    Discriminator(
        lambda v: v.get("type", "folder") if isinstance(v, dict) else getattr(v, "type", "folder")
    ),
]


class Settings(_Strict):
    """Validated settings. Paths are absolute once loaded (relative ones are taken
    from the config file's folder, or the working folder when there is no file)."""

    title: FeedText = Field(min_length=1)
    base_url: str
    tag_authority: str
    database_url: str | None = None
    feeds_dir: TomlPath
    timezone: str
    feed_size: int = Field(ge=1, le=10_000)
    sources: list[SourceConfig]
    allow_private_networks: bool = False  # web sources may reach loopback/private addresses
    # How long a worker may hold a source before others take it over (it crashed);
    # a refresh renews its leases while it runs.
    source_lease: Duration = 600.0
    # A WebSub hub: feeds advertise it, and each refresh that changes feeds pings it.
    websub_hub: WebURL | None = None
    topics: dict[str, TopicConfig]
    # False when `base_url` is only the built-in default: `feeder serve` then derives
    # it from the address it listens on. Not a key: set by `load_settings`.
    _base_url_given: bool = PrivateAttr(default=True)

    @property
    def base_url_configured(self) -> bool:
        """Whether the config file sets `base_url` (or these settings were built whole)."""
        return self._base_url_given

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("tag_authority")
    @classmethod
    def _tagging_entity(cls, value: str) -> str:
        if not _TAGGING_ENTITY.fullmatch(value):
            raise ValueError(
                f"{value!r} is not an RFC 4151 tagging entity: use a domain or e-mail you "
                "own, a comma and a date, like 'example.org,2026'"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        _zone(value)
        return value

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources: list[Any]) -> list[Any]:
        names = [s.name for s in sources]
        if dupes := sorted({n for n in names if names.count(n) > 1}):
            raise ValueError(f"source names must be unique, repeated: {', '.join(dupes)}")
        return sources

    @field_validator("topics")
    @classmethod
    def _slugs(cls, topics: dict[str, TopicConfig]) -> dict[str, TopicConfig]:
        for slug in topics:
            if slug in RESERVED_SLUGS or not _SLUG.fullmatch(slug):
                raise ValueError(
                    f"topic name {slug!r} must be lowercase letters, digits and '-', "
                    "and not 'all', 'search' or 'index'"
                )
        return topics

    @property
    def tz(self) -> tzinfo:
        return _zone(self.timezone)

    def topic_list(self) -> list[Topic]:
        return [
            Topic(
                slug, t.title, tuple(t.keywords), tuple(t.exclude), tuple(t.ignore),
                t.min_score, tuple(t.include_items), tuple(t.exclude_items),
            )
            for slug, t in self.topics.items()
        ]  # fmt: skip


def _zone(name: str) -> tzinfo:
    if name.upper() == "UTC":
        return UTC  # no tz database needed for the default
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def load_settings(path: Path | None = None, *, cwd: Path | None = None) -> Settings:
    """Load `path`, else `feeder.toml` in `cwd` if present, else the built-in defaults."""
    cwd = (cwd or Path.cwd()).resolve()
    if path is None and (cwd / CONFIG_NAME).is_file():
        path = cwd / CONFIG_NAME
    data = _read_toml(DEFAULT_CONFIG)
    label = "built-in defaults"
    base = cwd
    sources_base: Path | None = None  # the built-in source: see `default_seeds`
    if path is not None:
        given = Path(os.path.normpath(cwd / path))  # for messages: as the user named it
        path = (cwd / path).resolve()
        if not path.is_file():
            raise ConfigError(f"{given}: config file not found")
        data |= (own := _read_toml(path, given))
        if "sources" in own:
            sources_base = path.parent
        label, base = str(given), path.parent
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe(label, exc, data)) from None
    settings._base_url_given = path is not None and "base_url" in own
    return _resolve_paths(settings, base, sources_base)


def default_seeds(base: Path) -> Path:
    """The folder the built-in source reads: `base`'s own `seeds/`, else the sample."""
    own = base / DEFAULT_SEEDS
    return own if own.is_dir() else SAMPLE_DIR


def is_sample(path: Path) -> bool:
    """True for the packaged sample captures (not a folder that only resolves to the
    same files, as a checkout's own `seeds/` does)."""
    return path == SAMPLE_DIR


def _read_toml(path: Path, label: Path | None = None) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label or path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{label or path}: cannot read: {exc.strerror}") from None


def _resolve_paths(settings: Settings, base: Path, sources_base: Path | None) -> Settings:
    """Absolute paths: relative ones from `base`, folder sources' from `sources_base`
    (None: the built-in source, see `default_seeds`)."""
    database_url = settings.database_url or f"sqlite:///{base / 'feeder.db'}"
    prefix, _, rest = database_url.partition(":///")
    if prefix.startswith("sqlite") and rest and not rest.startswith(("/", ":memory:")):
        database_url = f"{prefix}:///{base / rest}"  # relative to the config file, not the cwd
    sources = [
        s.model_copy(
            update={"path": sources_base / s.path if sources_base else default_seeds(base)}
        )
        if isinstance(s, FolderSourceConfig)
        else s
        for s in settings.sources
    ]
    return settings.model_copy(
        update={
            "database_url": database_url,
            "feeds_dir": base / settings.feeds_dir,
            "sources": sources,
        }
    )
