"""Topic rules as configured, and the patterns their phrases compile to. Pure, no I/O."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Set
from dataclasses import dataclass

# A topic is judged relevant when its score reaches this (one counted mention in the
# title, or a mention in each of three paragraphs of the body; see `relevance`).
DEFAULT_MIN_SCORE = 3.0


@dataclass(frozen=True)
class Topic:
    """A topic feed: phrases that are evidence for it, and what overrides that evidence.

    `keywords` are the evidence; a match of an `ignore` phrase does not count (other
    senses: "exercise their rights"); any `exclude` phrase keeps the item out whatever
    its score; `include_items` / `exclude_items` put single items (by key) in or out.
    """

    slug: str
    title: str
    keywords: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    min_score: float = DEFAULT_MIN_SCORE
    include_items: tuple[str, ...] = ()
    exclude_items: tuple[str, ...] = ()


def keyword_pattern(keyword: str) -> str:
    """Regex for one keyword: whole words, `*` ending a word a suffix wildcard, and `*`
    standing alone any one word (`exercise* * right*`).

    The first word's letters lead the pattern, and the check that no letter precedes
    them comes after (a lookbehind over them): a pattern opening with a literal lets
    the regex engine skip ahead to candidates, ten times faster on long text than one
    opening with the lookbehind. Raises ValueError for a keyword that cannot be
    matched as words.
    """
    words = keyword.split()
    if not words:
        raise ValueError("empty keyword")
    if "*" in (words[0], words[-1]):
        raise ValueError(f"{keyword!r}: a lone '*' (any word) may only stand between words")
    parts = []
    for word in words:
        if word == "*":
            parts.append((r"[\w'’-]+", ""))
            continue
        stem, star = (word[:-1], True) if word.endswith("*") else (word, False)
        if not stem or "*" in stem:
            raise ValueError(f"{keyword!r}: '*' may only end a word, after at least one letter")
        parts.append((re.escape(stem), r"\w*" if star else ""))
    (first, first_star), rest = parts[0], parts[1:]
    opening = rf"{first}(?<!\w{first}){first_star}"
    return opening + "".join(rf"\s+{stem}{star}" for stem, star in rest) + r"(?!\w)"


def _longest_word(keyword: str) -> str:
    """The keyword's longest literal word, casefolded: text without it cannot match."""
    return max((word.rstrip("*") for word in keyword.split()), key=len).casefold()


class PhraseSet:
    """Phrases searched for in casefolded text (comparing folded text exactly is
    several times faster than searching case-insensitively), telling which matched.

    Each phrase has a pattern of its own, opening with a literal the regex engine
    skips ahead to, and is looked for only when its longest word may occur in the text
    (`WordIndex`): most texts hold none or a few of a topic's phrases, and one
    alternation of them all would try every phrase at every position.
    """

    def __init__(self, phrases: Iterable[str]) -> None:
        self.phrases = tuple(phrases)
        self._words = [_longest_word(phrase) for phrase in self.phrases]
        self._patterns = [re.compile(keyword_pattern(p.casefold())) for p in self.phrases]
        self.words = frozenset(self._words)

    def __bool__(self) -> bool:
        return bool(self.phrases)

    def _present(self, folded: str, present: Set[str] | None) -> list[int]:
        if present is None:
            return [n for n, word in enumerate(self._words) if word in folded]
        return [n for n, word in enumerate(self._words) if word in present]

    def search(self, folded: str, present: Set[str] | None = None) -> str | None:
        """The phrase found first in `folded`, if any (the earliest-listed at a tie).
        `present`: the words of `words_in` found in it, when already known."""
        found = [
            (match.start(), n)
            for n in self._present(folded, present)
            if (match := self._patterns[n].search(folded))
        ]
        return self.phrases[min(found)[1]] if found else None

    def finditer(self, folded: str, present: Set[str] | None = None) -> list[tuple[int, int, str]]:
        """Every match in `folded`, in order and not overlapping: start, end and the
        phrase that matched (the earliest-listed where two start together)."""
        which = self._present(folded, present)
        if len(which) == 1:  # the usual case: one phrase, its matches never overlap
            phrase = self.phrases[which[0]]
            return [(m.start(), m.end(), phrase) for m in self._patterns[which[0]].finditer(folded)]
        found = sorted(
            (match.start(), n, match.end())
            for n in which
            for match in self._patterns[n].finditer(folded)
        )
        kept: list[tuple[int, int, str]] = []
        reached = 0
        for start, n, end in found:
            if start >= reached:
                kept.append((start, end, self.phrases[n]))
                reached = end
        return kept

    def covering(
        self, folded: str, start: int, end: int, which: Iterable[int], present: Set[str]
    ) -> str:
        """The first of phrases `which` with a match overlapping [start, end), or "".
        `present`: the words of `WordIndex.words_in` found in the text."""
        for n in which:
            if self._words[n] not in present:  # rules most phrases out at once
                continue
            pattern = self._patterns[n]
            for match in pattern.finditer(folded, max(0, start - _REACH), end + _REACH):
                if match.start() < end and start < match.end():
                    # Matched again without the window's end, which a phrase's closing
                    # "no letter follows" would otherwise take for a word's end.
                    whole = pattern.match(folded, match.start())
                    if whole and start < whole.end():
                        return self.phrases[n]
        return ""


# How far around a match a phrase covering it is looked for: phrases are a few words.
_REACH = 200


def share_a_word(one: str, other: str) -> bool:
    """True when a match of one phrase may overlap a match of the other: they share a
    word (up to `*` suffixes and hyphens), or one has a lone `*`, which is any word."""
    if "*" in one.split() or "*" in other.split():
        return True

    def stems(phrase: str) -> set[str]:
        return {
            part
            for word in phrase.casefold().split()
            for part in word.rstrip("*").split("-")
            if part
        }

    return any(a.startswith(b) or b.startswith(a) for a in stems(one) for b in stems(other))


_LETTERS = re.compile(r"[^\W\d_]+")
# Splitting at spaces after blanking the common punctuation and digits is twice as
# fast as finding the letter runs with a pattern; a token left with another character
# in it is split by the pattern after all.
_BLANKS = str.maketrans(
    dict.fromkeys(string.punctuation + string.digits + "“”«»‘’—–…\x00\n\t", " ")
)


# The commonest words of English news text: an item's words are looked up in the index
# without them (those that could start a keyword's word are kept; see `WordIndex`).
_COMMON = frozenset(
    (  # noqa: SIM905 -- a word list reads better as text
        "the of and in to a on for with at by from as is was were be been has have had that "
        "this which it its their they he she his her we our an or not are will would also "
        "more than other into about after over between during under all new one two "
        "said says year years member members states state organization cooperation "
        "collective security meeting session council secretary general deputy minister "
        "ministry foreign affairs defense defence forces joint work issues area region "
        "international president head heads countries country parties plan measures"
    ).split()
)


def _letter_runs(folded: str) -> set[str]:
    """The distinct runs of letters of a text."""
    blanked = folded.translate(_BLANKS)
    tokens = set(blanked.split())
    if blanked.replace(" ", "").isalpha():
        return tokens  # the usual case: nothing but letters left between the blanks
    runs: set[str] = set()
    for token in tokens:
        runs.update((token,) if token.isalpha() else _LETTERS.findall(token))
    return runs


_HEAD = 3  # letters of a word that index it


class WordIndex:
    """Finds which of many words may occur in a text, in one pass over the text's words
    rather than one substring search per word (the words are the longest words of every
    topic's phrases, a few hundred; an item has a few dozen distinct words).

    A word may occur when each of its runs of letters ("anti-terror": "anti" and
    "terror") starts a letter run of the text: every keyword match puts its words at
    word boundaries. May say yes wrongly (two runs apart), never no wrongly.
    """

    def __init__(self, words: Iterable[str]) -> None:
        self._runs: dict[str, frozenset[str]] = {}  # word -> its runs of letters
        self._by_head: dict[str, set[str]] = {}  # a run's first letters -> runs
        self._words_of: dict[str, list[str]] = {}  # run -> the words holding it
        self._short: list[str] = []  # words with a run too short to index: searched for
        for word in sorted(set(words)):
            runs = frozenset(_LETTERS.findall(word))
            if not runs or min(map(len, runs)) < _HEAD:
                self._short.append(word)
                continue
            self._runs[word] = runs
            for run in runs:
                self._by_head.setdefault(run[:_HEAD], set()).add(run)
                self._words_of.setdefault(run, []).append(word)
        # Common words that start no word's run can be dropped from a text unlooked-at.
        self._common = frozenset(
            token for token in _COMMON if not any(token.startswith(run) for run in self._words_of)
        )

    def words_in(self, folded: str) -> frozenset[str]:
        """Which of the words may occur in `folded` (a casefolded text)."""
        found = {word for word in self._short if word in folded}
        by_head = self._by_head
        runs = {
            run
            for token in _letter_runs(folded) - self._common
            for run in by_head.get(token[:_HEAD], ())
            if token.startswith(run)
        }
        for run in runs:
            found.update(w for w in self._words_of[run] if runs.issuperset(self._runs[w]))
        return frozenset(found)
