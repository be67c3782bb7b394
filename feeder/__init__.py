"""feeder: publish an organisation's news captures as Atom and RSS feeds, one per topic."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from feeder.config import ConfigError, Settings, load_settings
    from feeder.core import Feeder, make_feeder

__version__ = "0.1.0"
__all__ = ["ConfigError", "Feeder", "Settings", "__version__", "load_settings", "make_feeder"]

# Imported on first use: `import feeder.x` must not load the database and HTTP stack
# (a bare `feeder --help`, a pool worker rendering pages).
_LAZY = {
    "ConfigError": "feeder.config",
    "Settings": "feeder.config",
    "load_settings": "feeder.config",
    "Feeder": "feeder.core",
    "make_feeder": "feeder.core",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'feeder' has no attribute {name!r}")
