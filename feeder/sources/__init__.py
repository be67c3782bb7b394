"""Sources: retrieve bytes, from folders of files or over HTTP. No parsing here."""

from .folder import SourceError, list_folder, read_file

__all__ = ["SourceError", "list_folder", "read_file"]
