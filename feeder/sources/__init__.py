"""Sources: retrieve bytes, from folders of files or over HTTP. No parsing here."""

from feeder.sources.folder import FileTooLarge, FolderListing, SourceError, list_folder, read_file

__all__ = ["FileTooLarge", "FolderListing", "SourceError", "list_folder", "read_file"]
