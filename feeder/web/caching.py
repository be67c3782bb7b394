"""How long clients and shared caches may keep each kind of answer, and which request
headers the answer to a feed URL varies by."""

# Feeds change at most once a refresh; ETags make revalidation after that cheap.
CACHE_FEEDS = "public, max-age=300"
CACHE_ITEM_PAGES = "public, max-age=3600"
CACHE_SEARCH = "public, max-age=60"
# A feed's URL gives browsers its HTML view (by Accept), and gzip to those taking it.
VARY_FEEDS = "Accept, Accept-Encoding"
# How many rendered or read answers each in-memory cache keeps.
CACHED_ANSWERS = 512
