"""Turn a capture in the seed format into news items. Pure: bytes in, items out.

A document mixes listing entries (a date line, then one paragraph), articles (a
title, the same title followed by its date, credits, body, a navigation footer)
and undated text (teasers, or an article whose page gives no date).

`decoding` turns the bytes into text, `blocks` splits it into blocks of lines,
`parser` recognises the entries, articles and undated text among them, and `items`
makes each one an item, leaving out credits and "Read also" links.
"""

from feeder.errors import ParseError
from feeder.parse.seed.decoding import decode_capture
from feeder.parse.seed.parser import SeedParser

__all__ = ["ParseError", "SeedParser", "decode_capture"]
