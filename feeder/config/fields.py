"""Value types shared by the settings tables: strict models, feed-safe text, durations,
paths and web URLs, each refused at load with the reason."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from feeder.config.errors import shown
from feeder.normalize import clean_text, mask_url


class StrictModel(BaseModel):
    """A settings table: unknown keys are errors, and so is a value of the wrong TOML
    type, never coerced ("20" is not 20, "yes" is not true); a float field still takes
    a TOML integer."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _xml_safe(value: str) -> str:
    if clean_text(value) != value:
        raise ValueError(f"{value!r} contains control characters that feeds cannot carry")
    return value


# Text that ends up in feeds and pages: control characters are refused at load.
FeedText = Annotated[str, AfterValidator(_xml_safe)]

# A path is written as a TOML string; strict Path would take only Path objects.
TomlPath = Annotated[Path, Field(strict=False)]

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
