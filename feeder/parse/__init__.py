"""Parse: bytes a source retrieved, turned into news items. No I/O here.

`seed` reads the capture format of folders and text pages, `feed` reads RSS and
Atom, `html` reads news listing pages with CSS selectors.
"""

from feeder.parse.seed import ParseError, SeedParser, decode_capture

__all__ = ["ParseError", "SeedParser", "decode_capture"]
