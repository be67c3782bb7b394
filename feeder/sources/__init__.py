"""Sources: retrieve bytes, from folders of files or over HTTP. No parsing here."""

from feeder.errors import FileTooLarge, SourceError
from feeder.sources.folder import FolderListing, list_folder, read_file

__all__ = ["FileTooLarge", "FolderListing", "SourceError", "list_folder", "read_file"]
