"""A deterministic corpus of captures in the seed format, shaped like years of a real
news section: listing pages (a date line, one paragraph each) of which about
`overlap` of the entries repeat entries of earlier pages, as re-captures do;
articles with a byline and a body of realistic length; undated teasers before an
undated article. Topic keywords appear with realistic, uneven frequencies."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

# Topic words of the default config, weighted: some topics are common, most rare.
_TOPIC_WORDS = [
    ("Kazakhstan", 12), ("Russia", 10), ("peacekeeping", 8), ("Armenia", 6), ("Belarus", 6),
    ("Kyrgyzstan", 5), ("Tajikistan", 5), ("terrorism", 4), ("drug trafficking", 3),
    ("migration", 3), ("exercises", 6), ("Afghanistan", 3), ("NATO", 2),
    ("information security", 2), ("biological security", 1),
]  # fmt: skip
_WORDS, _WEIGHTS = zip(*_TOPIC_WORDS, strict=True)
_CITIES = ["Minsk", "Astana", "Bishkek", "Dushanbe", "Yerevan", "Moscow", "Almaty", "Osh"]
_BODIES = [
    "delegations discussed cooperation in the field of collective security",
    "the parties agreed on a plan of joint measures for the coming year",
    "experts reviewed the situation in the region of collective responsibility",
    "a working group prepared draft documents for the next session of the council",
    "participants exchanged views on the training of personnel and staff",
]
_NAMES = ["Olga Demenchuk", "Nikita Vyatchanin", "Sergey Rusanov", "Aigerim Sadykova"]
_START = date(2015, 1, 1)
_DAYS = 365 * 10


@dataclass(frozen=True)
class CorpusStats:
    files: int
    listing_entries: int  # entries written, repeats included
    distinct_items: int  # what a correct ingest stores


class _Writer:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.serial = 0

    def sentence(self) -> str:
        self.serial += 1
        rng = self.rng
        topics = rng.choices(_WORDS, _WEIGHTS, k=rng.randint(0, 2))
        about = f" on {' and '.join(topics)}" if topics else ""
        return f"Meeting {self.serial} in {rng.choice(_CITIES)}{about}: {rng.choice(_BODIES)}."

    def paragraph(self, first: str) -> str:
        rng = self.rng
        rest = " ".join(f"{rng.choice(_BODIES).capitalize()}." for _ in range(rng.randint(1, 4)))
        return f"{first} {rest}"

    def day(self) -> str:
        return (_START + timedelta(days=self.rng.randrange(_DAYS))).strftime("%d.%m.%Y")


def write_corpus(
    folder: Path, files: int, items_per_file: int, overlap: float = 0.3, seed: int = 1
) -> CorpusStats:
    """Write `files` captures into `folder`; the same arguments give the same bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    writer = _Writer(seed)
    rng = writer.rng
    seen: list[str] = []  # listing entries written so far, for re-captures
    entries = distinct = 0
    for n in range(files):
        kind = rng.random()
        if kind < 0.85:  # a listing page
            blocks = []
            for _ in range(items_per_file):
                if seen and rng.random() < overlap:
                    blocks.append(rng.choice(seen))
                else:
                    entry = f"{writer.day()}\n\n{writer.paragraph(writer.sentence())}"
                    seen.append(entry)
                    distinct += 1
                    blocks.append(entry)
                entries += 1
            text = "\n\n\n".join(blocks) + "\n"
        elif kind < 0.97:  # a dated article with a byline
            title = writer.sentence()[:-1]
            body = "\n\n".join(
                writer.paragraph(writer.sentence()) for _ in range(rng.randint(4, 9))
            )
            text = (
                f"{title}\n\n{title} {writer.day()}\n\nAuthor: {rng.choice(_NAMES)}\n\n{body}"
                "\n\n\nGo back\n\nBack to the section\n\nBack to the all news\n"
            )
            distinct += 1
        else:  # undated teasers, then an undated article
            teasers = [writer.sentence() for _ in range(rng.randint(1, 3))]
            title = f"Statement {writer.serial} of the press service"
            body = "\n\n".join(writer.paragraph(writer.sentence()) for _ in range(3))
            text = (
                "\n\n".join(teasers) + f"\n\n{title}\n\n{body}"
                "\n\n\nGo back\n\nBack to the section\n\nBack to the all news\n"
            )
            distinct += len(teasers) + 1
        (folder / f"{n:06d}.txt").write_text(text, encoding="utf-8")
    return CorpusStats(files, entries, distinct)
