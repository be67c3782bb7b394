"""Why a stored item is in the topics it is in: each topic's verdict under today's
rules, for `feeder explain`. Does no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from feeder.model import StoredItem
from feeder.topics import Topic, TopicMatcher, Verdict


@dataclass(frozen=True)
class Explanation:
    """Why an item is in the topics it is in: each topic's verdict under today's rules."""

    item: StoredItem
    verdicts: list[Verdict]  # every configured topic, in configured order
    titles: dict[str, str]  # topic slug -> title

    @property
    def topics(self) -> tuple[str, ...]:
        """The topics the rules put the item in now."""
        return tuple(v.slug for v in self.verdicts if v.relevant)

    @property
    def stale(self) -> bool:
        """True when the stored tags differ from today's rules (a refresh re-tags)."""
        return set(self.topics) != set(self.item.topics)


def explain_item(item: StoredItem, topics: Sequence[Topic]) -> Explanation:
    """Judge `item` against every topic, keeping each step."""
    verdicts = TopicMatcher(topics).judge(item.key, item.title, item.blocks)
    return Explanation(item, verdicts, {t.slug: t.title for t in topics})
