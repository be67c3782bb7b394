"""The words and patterns that mark a mention as saying nothing about an item's subject:
outlets' names, named bodies and posts, venues of meetings, datelines, links.

`context` applies them around each keyword match. Patterns ending in `$` look back
from a match; the `AFTER` pattern looks forward from it in one call.
"""

from __future__ import annotations

import re

from feeder.parse.dates import DATELINE as DATELINE

# Where a sentence ends: a stop before a capital, or a semicolon or colon.
SENTENCE_END = re.compile(r"[.!?…](?=[\"'”’»)]*\s+[\"“«(]?[A-Z0-9\u0400-\u042f])|[;:](?=\s)")

# News outlets' brands ("Sputnik Armenia", "RIA-Novosti"), and the words that make a
# name an outlet's ("Kazakhstan Today", "Belarus Segodnya").
_BRANDS = (
    "(?i:sputnik|interfax|kazinform|akipress|kabar|khovar|armenpress|xinhua|reuters|euronews|"
    "tengrinews|novosti|azertac|asia-plus|cronos|vesti|zvezda|izvestia|kommersant|regnum|"
    "eurasianet|ozodi|azattyk|azatutyun|khabar|anadolu|24\\.kz|news\\.am)"
    "|RIA|TASS|BelTA|RT|NTV|RBC|BBC|CNN|AP|AFP|DW|Mir|Trend"
)
_NAME_WORDS = (
    "Today|Times|News|TV|Radio|Post|Daily|Herald|Tribune|Press|Media|Gazette|Observer|"
    "Express|Weekly|Segodnya|Pravda|Vesti|Inform|Info|Online|24|Channel|Broadcasting|"
    "Telegraph|Journal|Monitor|Insider|Review|Courier|Kurier|Zerkalo|Novosti"
)
_MEDIA_NOUNS = (
    r"(?:news\s+|information\s+|press\s+)?(?:agency|agencies|newspaper|daily|weekly|"
    r"magazine|channel|tv\s+channel|television|radio|portal|website|web\s+site|outlet|"
    r"publication|broadcaster|news\s+service|edition|media)"
)
BRAND_WORD = re.compile(rf"(?:^|[.-])(?:{_BRANDS})$")  # the word before a match is one
BRANDS = frozenset(  # the same, lowercased, for a set lookup first
    re.sub(r"\(\?i:|\)|\\", "", _BRANDS).lower().split("|")
)
BRAND_BEFORE = re.compile(rf"\b(?:{_BRANDS})[\"'”’»]?\s+[\"“«]?$")
NOUN_BEFORE_QUOTE = re.compile(rf"\b{_MEDIA_NOUNS}\s+[\"“«]$", re.IGNORECASE)

# Looking forward from a match, in order: an outlet's name ("Kazakhstan Today",
# "the Kazakh news agency"), a named body or place ("Moscow State University"), a
# summit named for its city ("the Moscow summit"), a city hosting a meeting.
AFTER = re.compile(
    rf"(?P<outlet>[\"”’»]?(?:\s+[A-Z][\w-]*)?\s+(?:{_NAME_WORDS})\b"
    rf"|[\"”’»]?(?:\s+[A-Z][\w-]*){{0,2}}\s+(?i:{_MEDIA_NOUNS})\b)"
    r"|(?P<body>(?:\s+[A-Z][\w-]*){0,2}\s+(?:University|Institute|Academy|Airport|Hotel|"
    r"Street|Avenue|Square|Theatre|Theater|Museum|Stadium|Arena|Conservatory|Philharmonic|"
    r"Metro|Station|Marathon|Club|Opera|Circus|Zoo|Plant|Factory|Bank|Exchange|Cup)\b)"
    r"|(?P<summit>(?i:\s+summit)\b)"
    r"|(?P<hosts>(?i:(?:'s|’s)?\s+(?:will\s+host|hosts|hosted|is\s+hosting|was\s+hosting|"
    r"to\s+host|will\s+be\s+the\s+venue|(?:was|is)\s+the\s+venue))\b)"
)
BODY_WORDS = frozenset({"Hotel", "Stadium", "Arena", "Club", "FC", "Bank"})  # "Hotel Astana"

# A post named for its portfolio ("Special Representative of the Secretary General for
# Peacekeeping"), or for the country a diplomat is accredited to ("the Ambassador of
# Belarus to the Russian Federation" speaks for Belarus, not Russia).
POST_FOR = re.compile(
    r"\b(?:Representative|Envoy|Commissioner|Coordinator|Adviser|Advisor|Rapporteur|"
    r"Ambassador-at-[Ll]arge)(?:\s+[^\s,;.]+){0,6}?\s+(?:for|on)\s+(?:the\s+)?$"
    r"|\b(?:Ambassador|Envoy|Representative|Consul|Attach[eé])(?:\s+[^\s,;.]+){0,8}?"
    r"\s+to\s+(?:the\s+)?$"
)
# Where a body sits: "the CSTO Joint Staff in Moscow", "the Embassy in Minsk".
SEAT = re.compile(
    r"\b(?:Staff|Secretariat|Headquarters|Office|Embassy|Mission|Representation|Bureau|"
    r"Centre|Center)\s+(?:in|at)\s+(?:the\s+)?$"
)

# A city (or country) as the place of a meeting rather than its subject.
MEETING = re.compile(
    r"\b(?:meeting|session|summit|conference|forum|consultation|talks|negotiations|briefing|"
    r"round[- ]table|seminar|symposium|congress|sitting|assembly|video\s?bridge|"
    r"videoconference|ceremony\s+of\s+signing)s?\b",
    re.IGNORECASE,
)
_IN = r"\s+(?:in|at)\s+(?:the\s+)?(?:(?:city|capital|republic)\s+of\s+)?$"
# "held in Minsk" (when the sentence names a meeting).
HELD_IN = re.compile(
    r"\b(?:held|hold|holds|holding|took\s+place|take\s+place|takes\s+place|taking\s+place|met|"
    r"meet|meets|gathered|convened|hosted|opened|organi[sz]ed|arrived|signed)"
    rf"(?:\s+[^\s,;.]+){{0,4}}?{_IN}",
    re.IGNORECASE,
)
# "met NATO observers in Minsk", "the session of the Council in Bishkek", "the
# strategy was adopted in Bishkek": the words themselves say a meeting took place there.
MET_IN = re.compile(
    r"\b(?:met|meet|meets|gathered|convened|negotiated|adopted|approved|signed|"
    r"meeting|session|summit|conference|forum|consultations|talks|negotiations)"
    r"(?:\s+[^\s,;.]+){0,5}?\s+(?:in|at)\s+(?:the\s+)?(?:(?:city|capital)\s+of\s+)?$",
    re.IGNORECASE,
)
# "On 5 May, in Minsk, ...": matched from the sentence's start ("^" would not anchor
# at a search's start position).
FRONTED_IN = re.compile(
    r"(?:[^,;]{0,40},\s+){0,2}(?:in|at)\s+(?:the\s+)?(?:(?:city|capital|republic)\s+of\s+)?$",
    re.IGNORECASE,
)

LINK = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)

QUOTES = "\"'“”«»’"
OPENING_QUOTES = frozenset('"“«')
# The last words of the backward patterns: only when the word before a match is one
# of them is such a pattern searched for (a set lookup instead of a search).
POST_ENDS = frozenset({"for", "on", "to", "the"})
PLACE_ENDS = frozenset({"in", "at", "the", "of"})
