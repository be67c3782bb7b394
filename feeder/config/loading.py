"""Configuration loading: find `feeder.toml`, read it over the built-in defaults,
validate it once and make its paths absolute. Contains no business logic.

Every setting has a default (see `default.toml` in the `feeder` package); a file only
needs the keys it changes, and a table it gives (`sources`, `topics`) replaces the
default one. Errors name the file, the key and the reason.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from feeder.config.errors import describe
from feeder.config.settings import Settings
from feeder.config.sources import FolderSourceConfig
from feeder.errors import ConfigError

DEFAULT_CONFIG = Path(__file__).parent.with_name("default.toml")
# The built-in source: the working folder's `seeds/` when there is one, else the sample
# captures shipped inside the package (the repository's `seeds/`, as package data).
SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample"
DEFAULT_SEEDS = "seeds"
CONFIG_NAME = "feeder.toml"


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
        settings = Settings.from_toml(data, base_url_given=path is not None and "base_url" in own)
    except ValidationError as exc:
        raise ConfigError(describe(label, exc, data)) from None
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
