"""The validated settings: the top-level keys and the `[topics.*]` tables. Validation
only; reading the file is `feeder.config.loading`."""

from __future__ import annotations

import re
from datetime import UTC, tzinfo
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, PrivateAttr, field_validator, model_validator

from feeder.config.fields import Duration, FeedText, StrictModel, TomlPath, WebURL
from feeder.config.sources import SourceConfig
from feeder.topics import DEFAULT_MIN_SCORE, Topic, keyword_pattern

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


class TopicConfig(StrictModel):
    """One `[topics.SLUG]` table: the keywords that put an item in the topic feed."""

    title: FeedText = Field(min_length=1)
    keywords: list[FeedText] = Field(min_length=1)
    # Any of these in an item keeps it out of the topic.
    exclude: list[FeedText] = Field(default_factory=list)
    # Keyword matches inside these phrases do not count.
    ignore: list[FeedText] = Field(default_factory=list)
    min_score: float = Field(DEFAULT_MIN_SCORE, gt=0, le=1000)  # relevance threshold
    include_items: list[str] = Field(default_factory=list)  # item keys always in the topic
    exclude_items: list[str] = Field(default_factory=list)  # item keys never in it

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


class Settings(StrictModel):
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
    # it from the address it listens on. Not a key: set by `from_toml`.
    _base_url_given: bool = PrivateAttr(default=True)

    @classmethod
    def from_toml(cls, data: dict[str, Any], *, base_url_given: bool) -> Settings:
        """Validate the merged TOML tables; `base_url_given` says whether a config file
        set `base_url` (see `base_url_configured`). Raises pydantic's ValidationError."""
        settings = cls.model_validate(data)
        settings._base_url_given = base_url_given
        return settings

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
