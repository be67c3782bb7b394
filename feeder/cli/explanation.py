"""`feeder explain` output: a topic judgement as text a person reads, or as JSON."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from feeder.core import Explanation
    from feeder.topics import Mention, Verdict


def _mention_line(mention: Mention) -> str:
    """What one match adds, where it stands (field, paragraph, offset) and why."""
    where = mention.field.value + (f" ¶{mention.paragraph}" if mention.paragraph else "")
    weight = mention.weight
    verdict = {1.0: "counts", 0.5: "counts half", 0.0: "ignored"}.get(weight, f"× {weight:g}")
    place = f"{where} @{mention.offset}"
    line = f"    {verdict:11} {place:22} “{mention.phrase}” ({mention.keyword})"
    return line + (f": {mention.reason}" if mention.reason else "")


def _verdict_lines(verdict: Verdict, title: str) -> list[str]:
    state = "IN" if verdict.relevant else "out"
    lines = [f"{verdict.slug} ({title}): {state}, {verdict.why}"]
    if verdict.override:
        lines.append(
            f"    the item's key is listed in topics.{verdict.slug}.{verdict.override};"
            f" the rules alone give score {verdict.score:g} (threshold {verdict.threshold:g})"
        )
    if verdict.excluded_by:
        lines.append(
            f"    topics.{verdict.slug}.exclude has “{verdict.excluded_by}”, found in the item"
        )
    lines += [_mention_line(m) for m in verdict.mentions]
    return lines


def render_explanation(found: Explanation) -> str:
    """Every topic with a keyword in the item, each mention with where it stands and
    what it adds, then the topics with none, and which settings to change."""
    item = found.item
    lines = [f"{item.key}  {item.title}", f"stored in: {', '.join(item.topics) or 'no topic'}"]
    if found.stale:
        lines.append(
            f"today's rules put it in: {', '.join(found.topics) or 'no topic'} "
            "(the next `feeder refresh` re-tags it)"
        )
    lines.append("")
    silent = []
    for verdict in found.verdicts:
        if verdict.mentions or verdict.override or verdict.excluded_by:
            lines += [*_verdict_lines(verdict, found.titles[verdict.slug]), ""]
        else:
            silent.append(verdict.slug)
    if silent:
        lines += [f"no keyword of: {', '.join(silent)}", ""]
    lines.append(
        "A mention adds its place's weight (title 3; lead, heading, question 2; body 1),"
        " a second or third in one place half of it again; an item is in a topic when the"
        " score reaches the topic's min_score. To change a verdict, edit [topics.<slug>] in"
        " feeder.toml: keywords, ignore (phrases whose matches do not count), exclude,"
        " min_score, or list the key in include_items / exclude_items."
    )
    return "\n".join(lines)


def explanation_json(found: Explanation) -> dict[str, Any]:
    """The explanation as plain JSON data (every topic, mentions included)."""
    return {
        "key": found.item.key,
        "title": found.item.title,
        "stored_topics": list(found.item.topics),
        "topics": list(found.topics),
        "verdicts": [
            asdict(v) | {"title": found.titles[v.slug], "why": v.why} for v in found.verdicts
        ],
    }
