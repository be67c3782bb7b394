"""The word lists story signatures are made with: words every report of the
organisation uses, words that name no person, countries and their nationalities, and
numbers written as words."""

from __future__ import annotations

# Words every report about the organisation uses: they say nothing about which event.
COMMON_NAMES = frozenset(
    (  # noqa: SIM905 -- a word list reads better as text
        "csto cis sco un osce nato eu the a an in on of and for to at by with from this that "
        "organization organisation collective security treaty council councils secretary "
        "general deputy secretariat republic republics federation minister ministers "
        "ministry ministries defence defense foreign affairs president chairman chairmanship "
        "state states member members joint staff forces force committee session meeting "
        "head heads government office press service agency news january february march "
        # words of the organisation's standing bodies' names ("Collective Rapid Reaction
        # Forces", "Crisis Response Centre"): every report of their work has them
        "rapid reaction deployment response crisis centre center parliamentary assembly "
        "permanent working group central asian region regional peacekeeping armed "
        "chief colonel lieutenant major captain commander army "
        "april may june july august september october november december monday tuesday "
        "wednesday thursday friday saturday sunday mr ms dr gen lt col"
    ).split()
)
STOPWORDS = frozenset(
    (  # noqa: SIM905 -- a word list reads better as text
        "about above after again against also among another because been before being "
        "below between both could does doing down during each from further have having "
        "here hers herself himself into itself just more most much must myself only other "
        "ours ourselves over same should some such than that their theirs them themselves "
        "then there these they this those through under until very were what when where "
        "which while whom will with would your yours said says told noted stressed added "
        "year years today within without well made make many first second third there "
        "including issues issue questions question cooperation organization collective "
        "security treaty member states countries secretary general csto held meeting "
        "session also their which"
    ).split()
)
# Capitalised words that open no person's name, or close none.
NOT_PEOPLE = COMMON_NAMES | frozenset(
    (  # noqa: SIM905 -- a word list reads better as text
        "in on at during according today after before under since as while when but "
        "central asian eastern western northern southern chief major colonel lieutenant "
        "russian kazakh kyrgyz tajik armenian belarusian afghan ministry republic national "
        "rapid reaction collective armed special security council kingdom united nations "
        "segodnya today times news agency centre center response programme program group "
        "targeted forces commission committee assembly palace academy university institute "
        "operation operations exercise training region district service services department "
        "federal state states international interstate organization strategic studies "
        "research analysis development foundation fund bank school college "
        # places of two words ("New York", "Middle East") and outlets' name words
        # ("Rossiyskaya Gazeta")
        "new middle far east west north south gazeta gazette pravda daily post herald "
        "tribune express observer courier journal review"
    ).split()
)
# A nationality says what its country's name does ("Armenian" side, "Armenia"): one name.
COUNTRY_OF = {
    "armenian": "armenia", "belarusian": "belarus", "kazakh": "kazakhstan",
    "kazakhstani": "kazakhstan", "kyrgyz": "kyrgyzstan", "tajik": "tajikistan",
    "russian": "russia", "uzbek": "uzbekistan", "afghan": "afghanistan",
    "azerbaijani": "azerbaijan", "turkmen": "turkmenistan", "chinese": "china",
    "iranian": "iran", "ukrainian": "ukraine", "georgian": "georgia", "american": "usa",
}  # fmt: skip
COUNTRIES = frozenset(COUNTRY_OF.values()) | {
    "belarus", "kazakhstan", "kyrgyzstan", "tajikistan", "uzbekistan", "turkmenistan",
    "moldova", "serbia", "mongolia", "india", "pakistan", "oblast", "province", "region",
    "cross", "crescent",
}  # fmt: skip
# Numbers written as words, from ten on (smaller ones tell no event apart, as digits).
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
NUMBER_WORDS = (
    {
        word: str(value)
        for value, word in enumerate(
            "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen "  # noqa: SIM905
            "nineteen".split(),
            start=10,
        )
    }
    | {tens: str(20 + 10 * i) for i, tens in enumerate(_TENS)}
    | {
        f"{tens}-{unit}": str(21 + 10 * i + j)
        for i, tens in enumerate(_TENS)
        for j, unit in enumerate(_UNITS)
    }
)
