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

from collections.abc import Sequence
from dataclasses import dataclass

from .context import Discount, PassageContext
from .passages import Field, Passage
from .rules import PhraseSet, Topic

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


@dataclass(frozen=True)
class Mention:
    """One keyword match: where it stands, what it adds, and why it adds less."""

    field: Field
    paragraph: int  # 0 for a title of its own, else the paragraph's number from 1
    offset: int  # character offset within that paragraph
    phrase: str  # the text matched
    keyword: str  # the rule's keyword that matched it
    weight: float  # 1 counts fully, 0 not at all
    reason: str = ""  # why it counts less than fully

    @property
    def counted(self) -> bool:
        return self.weight > 0


@dataclass(frozen=True)
class Verdict:
    """The judgement of one item against one topic."""

    slug: str
    relevant: bool
    score: float
    threshold: float
    mentions: tuple[Mention, ...] = ()
    excluded_by: str = ""  # the `exclude` phrase that keeps the item out
    override: str = ""  # "include_items" or "exclude_items" when the key is listed

    @property
    def why(self) -> str:
        """One line for the item page and the item's tag: what decided the verdict."""
        if self.override:
            return f"listed in {self.override}"
        if self.excluded_by:
            return f"excluded by “{self.excluded_by}”"
        counted = [m for m in self.mentions if m.counted]
        places = list(dict.fromkeys(f"{m.field} “{m.phrase}”" for m in counted))
        shown = ", ".join(places[:3])
        paragraphs = len({m.paragraph for m in counted})
        if len(places) > 3:
            shown += f"; mentions counted in {paragraphs} paragraphs"
        sign = "≥" if self.score >= self.threshold else "<"
        return f"score {self.score:g} {sign} {self.threshold:g}" + (f": {shown}" if shown else "")


class TopicRules:
    """One topic's compiled rules, and its judgement of an item's passages."""

    def __init__(self, topic: Topic) -> None:
        self.topic = topic
        self.keywords = PhraseSet(topic.keywords)
        self.exclude = PhraseSet(topic.exclude)
        self.ignore = PhraseSet(topic.ignore)

    def may_match(self, folded: str) -> bool:
        """False when the folded text cannot hold one of the keywords."""
        return self.keywords.may_occur(folded)

    def judge(
        self,
        key: str,
        items: Sequence[tuple[Passage, PassageContext]],
        folded: str,
    ) -> Verdict:
        """The verdict on an item, given its passages and its whole text folded."""
        topic = self.topic
        if key and key in topic.exclude_items:
            return Verdict(topic.slug, False, 0.0, topic.min_score, override="exclude_items")
        if key and key in topic.include_items:
            return Verdict(topic.slug, True, 0.0, topic.min_score, override="include_items")
        mentions: list[Mention] = []
        score = 0.0
        if self.keywords.may_occur(folded):
            for passage, context in items:
                found = self._mentions(passage, context)
                mentions += found
                score += _passage_score(passage.field, sum(m.weight for m in found))
        score = round(score, 2)
        excluded = self.exclude.search(folded) or ""
        relevant = score >= topic.min_score and not excluded
        return Verdict(topic.slug, relevant, score, topic.min_score, tuple(mentions), excluded)

    def _mentions(self, passage: Passage, context: PassageContext) -> list[Mention]:
        if not self.keywords.may_occur(passage.folded):
            return []
        ignored = list(self.ignore.finditer(passage.folded)) if self.ignore.pattern else []
        found = []
        for start, end, keyword in self.keywords.finditer(passage.folded):
            discount = _ignored(start, end, ignored) or context.discount(start, end)
            phrase = passage.source[start:end]
            found.append(
                Mention(
                    passage.field, passage.paragraph, passage.offset + start, phrase, keyword,
                    discount.weight, discount.reason,
                )
            )  # fmt: skip
        return found


def _ignored(start: int, end: int, ignored: list[tuple[int, int, str]]) -> Discount | None:
    for a, b, phrase in ignored:
        if a < end and start < b:
            return Discount(0.0, f"ignore “{phrase}”")
    return None


def _passage_score(field: Field, evidence: float) -> float:
    """A passage's weight once it holds a whole counted mention (a part for a
    discounted one), plus a bonus for each further mention, up to two."""
    if evidence <= 0:
        return 0.0
    extra = min(max(evidence - 1.0, 0.0), REPEATS_COUNTED)
    return FIELD_WEIGHTS[field] * (min(evidence, 1.0) + REPEAT_BONUS * extra)
