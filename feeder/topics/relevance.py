"""Whether an item is about a topic: a score from where its keywords stand and what
they stand in, against the topic's threshold, with every step kept for `feeder explain`.

Each passage (title, lead, heading, body paragraph) adds its field's weight once it
holds a counted mention, and a little more for a second and third mention: a topic
named in the title, or discussed over several paragraphs, scores high; one named once
in the tenth paragraph does not. Mentions that say nothing about the subject (a list
of member states, an outlet's name, a venue, an `ignore` phrase) count less or not at
all. Pure, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from feeder.topics.context import Discount
from feeder.topics.passages import Field, ItemText
from feeder.topics.rules import PhraseSet, Topic, share_a_word

FIELD_WEIGHTS = {
    Field.TITLE: 3.0,
    Field.LEAD: 2.0,
    Field.HEADING: 2.0,
    Field.QUESTION: 2.0,
    Field.BODY: 1.0,
}
# What the second and third counted mention in one passage add to its weight.
REPEAT_BONUS = 0.5
REPEATS_COUNTED = 2


@dataclass(frozen=True, slots=True)
class Mention:
    """One keyword match: where it stands, what it adds, and why it adds less."""

    field: Field
    paragraph: int  # 0 for a title of its own, else the paragraph's number from 1
    offset: int  # character offset within that paragraph
    phrase: str  # the text matched
    keyword: str  # the rule's keyword that matched it
    weight: float  # 1 counts fully, 0 not at all
    reason: str = ""  # why it counts less than fully


@dataclass(frozen=True)
class Verdict:
    """The judgement of one item against one topic."""

    slug: str
    relevant: bool
    score: float
    threshold: float
    mentions: tuple[Mention, ...] = ()
    excluded_by: str = ""  # the `exclude` phrase that keeps the item out
    # "include_items" or "exclude_items" when the key is listed: the verdict is then
    # the list's, while the score and mentions still say what the rules alone make of it
    override: str = ""

    @property
    def why(self) -> str:
        """One line for the item page and the item's tag: what decided the verdict."""
        if self.override:
            return f"listed in {self.override}"
        if self.excluded_by:
            return f"excluded by “{self.excluded_by}”"
        counted = [m for m in self.mentions if m.weight > 0]
        places = list(dict.fromkeys(f"{m.field.value} “{m.phrase}”" for m in counted))
        shown = ", ".join(places[:3])
        if len(places) > 3:
            paragraphs = len({m.paragraph for m in counted if m.paragraph})
            shown += f"; mentions counted in {paragraphs} paragraphs"
        sign = "≥" if self.score >= self.threshold else "<"
        return f"score {self.score:g} {sign} {self.threshold:g}" + (f": {shown}" if shown else "")


class TopicRules:
    """One topic's compiled rules, and its judgement of an item's text."""

    def __init__(self, topic: Topic) -> None:
        self.topic = topic
        self.keywords = PhraseSet(topic.keywords)
        self.exclude = PhraseSet(topic.exclude)
        self.ignore = PhraseSet(topic.ignore)
        # The ignore phrases that can cover a keyword's match: those sharing a word
        # with it. Only they are looked for, and only around the match.
        self._ignores_of = {
            keyword: [n for n, phrase in enumerate(topic.ignore) if share_a_word(keyword, phrase)]
            for keyword in topic.keywords
        }

    def judge(self, key: str, item: ItemText, every_mention: bool = True) -> Verdict:
        """The verdict on an item: every keyword match weighed where it stands. With
        `every_mention` false, a verdict out of the topic carries no mentions (tagging
        needs only the reasons of the topics an item is in)."""
        topic = self.topic
        matches = self._matches(item)
        evidence: dict[int, float] = {}
        for index, _, _, _, discount in matches:
            evidence[index] = evidence.get(index, 0.0) + discount.weight
        passages = item.passages
        score = round(
            float(sum(_passage_score(passages[i].field, e) for i, e in evidence.items())), 2
        )
        excluded = self.exclude.search(item.folded, item.present) or "" if self.exclude else ""
        relevant = score >= topic.min_score and not excluded
        override = ""
        if key and key in topic.exclude_items:  # the config refuses a key in both lists
            relevant, override = False, "exclude_items"
        elif key and key in topic.include_items:
            relevant, override = True, "include_items"
        found: tuple[Mention, ...] = ()
        if relevant or every_mention:
            found = tuple(_mention(item, *match) for match in matches)
        return Verdict(topic.slug, relevant, score, topic.min_score, found, excluded, override)

    def _matches(self, item: ItemText) -> list[tuple[int, int, int, str, Discount]]:
        """Every keyword match, in reading order: its passage's index, its start and end
        in that passage's own text, the keyword, and how much it counts."""
        found = []
        for start, end, keyword in self.keywords.finditer(item.folded, item.present):
            index, first = item.locate(start)
            _, last = item.locate(end)
            ignored = self._ignores_of[keyword]
            covering = ignored and self.ignore.covering(
                item.folded, start, end, ignored, item.present
            )
            if covering:
                discount = Discount(0.0, f"ignore “{covering}”")
            else:
                discount = item.context(index).discount(first, last)
            found.append((index, first, last, keyword, discount))
        return found


def _mention(
    item: ItemText, index: int, start: int, end: int, keyword: str, discount: Discount
) -> Mention:
    passage = item.passages[index]
    return Mention(
        passage.field, passage.paragraph, passage.offset + start, passage.text[start:end],
        keyword, discount.weight, discount.reason,
    )  # fmt: skip


def _passage_score(field: Field, evidence: float) -> float:
    """A passage's weight once it holds a whole counted mention (a part for a
    discounted one), plus a bonus for each further mention, up to two."""
    if evidence <= 0:
        return 0.0
    extra = min(max(evidence - 1.0, 0.0), REPEATS_COUNTED)
    return FIELD_WEIGHTS[field] * (min(evidence, 1.0) + REPEAT_BONUS * extra)
