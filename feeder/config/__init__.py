"""Configuration: load and validate `feeder.toml` once. Contains no business logic.

`loading` finds and reads the file over the built-in defaults, `settings` and
`sources` are the typed tables it is validated into, `fields` the value types they
share, `errors` turns pydantic's errors into lines naming the file, key and reason,
and `starter` writes the commented file of `feeder init`.
"""

from feeder.config.fields import (
    Duration,
    FeedText,
    StrictModel,
    TomlPath,
    WebURL,
    parse_duration,
    web_url,
)
from feeder.config.loading import (
    CONFIG_NAME,
    DEFAULT_CONFIG,
    DEFAULT_SEEDS,
    SAMPLE_DIR,
    default_seeds,
    is_sample,
    load_settings,
)
from feeder.config.settings import ALL_FEED, RESERVED_SLUGS, Settings, TopicConfig
from feeder.config.sources import (
    FeedSourceConfig,
    FolderSourceConfig,
    HtmlSourceConfig,
    SourceConfig,
    TextSourceConfig,
    WebSourceConfig,
)
from feeder.errors import ConfigError

__all__ = [
    "ALL_FEED",
    "CONFIG_NAME",
    "DEFAULT_CONFIG",
    "DEFAULT_SEEDS",
    "RESERVED_SLUGS",
    "SAMPLE_DIR",
    "ConfigError",
    "Duration",
    "FeedSourceConfig",
    "FeedText",
    "FolderSourceConfig",
    "HtmlSourceConfig",
    "Settings",
    "SourceConfig",
    "StrictModel",
    "TextSourceConfig",
    "TomlPath",
    "TopicConfig",
    "WebSourceConfig",
    "WebURL",
    "default_seeds",
    "is_sample",
    "load_settings",
    "parse_duration",
    "web_url",
]
