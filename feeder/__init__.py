"""feeder: publish an organisation's news captures as Atom and RSS feeds, one per topic."""

from feeder.config import ConfigError, Settings, load_settings
from feeder.core import Feeder, make_feeder

__version__ = "0.1.0"
__all__ = ["ConfigError", "Feeder", "Settings", "__version__", "load_settings", "make_feeder"]
