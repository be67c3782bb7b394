"""The `[[sources]]` tables: a folder of captures, or a web feed, text page or HTML
listing, told apart by their `type` key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from cssselect import GenericTranslator, SelectorError
from pydantic import Discriminator, Field, Tag, field_validator

from feeder.config.fields import Duration, FeedText, StrictModel, TomlPath, WebURL
from feeder.model import ListingSelectors


class FolderSourceConfig(StrictModel):
    """A folder of capture files in the seed format, rescanned every `interval`."""

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


class _WebSourceConfig(StrictModel):
    """What every web source has: a URL, and limits on what one fetch may take."""

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
