"""Who owns an action item said in a meeting: often not its speaker.

The rules, in one place:

* **Participants' names**: each speaker label gives its first name, its other words of three
  letters or more (a last name) and a nickname in brackets ("Daniel (dapplion)"). A word of a
  sentence names a participant when it is one of those, ignoring case; a word that is also
  an ordinary word ("will", "may", "mark"...) only when written with a capital inside the
  sentence. A capitalized word of four letters or more that is no one's name is matched
  fuzzily (rapidfuzz ratio >= ``FUZZY_CUTOFF``) to a first name: captions misspell names.
* **Spoken to**: a request names its owner when the name is said to them - at the start
  ("Sam, can you send the deck?"), beside "could / can / would / will you" ("could you, Sam,
  ..."), or at the end after a comma ("..., Sam?"). A name said as the object ("reach out
  to Sam", "check with Sam") is not the owner.
* **Given the work**: a request naming a participant as the one who will do it - "Priya
  will take a look", "Priya can follow up", "let's have Jordan take a look at it", "can we
  get Jordan to review it". Said by someone else than Priya.
* **The speaker's own**: "I'll ask Alex to review it", "I can follow up" - first person, the
  speaker owns it (``analysis/decisions.py``), unless it hands the work to a group: "I'll
  ask people to take a look" is the group's.
* **Volunteers**: "can someone...", "does anyone want to...", "who can..." - owned by
  whoever of the next turns takes it on ("I can", "I'll do it", "happy to", "sure, I'll...").
* **Agreement**: a request nobody is named in, answered in the next turn by another speaker
  who accepts ("sure, I'll do that"), is the answerer's.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz, process

from coaching.analysis.lexicon import Lexicon
from coaching.domain.transcript import UNKNOWN_SPEAKER, Turn

# One wrong letter in a six-letter name ("Jordon") scores 83.
FUZZY_CUTOFF = 80.0
FUZZY_MIN_LENGTH = 4
VOLUNTEER_TURNS = 3  # how far after "can someone..." an answer is looked for

# Ordinary words that are also names: a name only when capitalized inside a sentence.
_ORDINARY = frozenset(
    "a an and are art bill can did do does dawn faith grace hope how i is june joy just may "
    "mark max me miss my of on or pat rich rose sue summer the to was were what when where "
    "which who why will with ray april august team client clients teams".split()
)
_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")
_NICKNAME = re.compile(r"[(\[]([^)\]]+)[)\]]")

_FIRST_PERSON = Lexicon(
    r"^(?:[^a-z0-9']*(?:so|and|yeah|yes|okay|ok|sure|well|then|also|but|um|uh)[^a-z0-9']+)*"
    r"(?:i will|i'?ll|i am going to|i'?m going to|i'?m gonna|i can|i could|let me|i need to|"
    r"i should|i want to|i'?d like to|i plan to)\b"
)
_VOLUNTEER_ASKED = Lexicon(
    r"\b(can|could|would|will) (someone|somebody|anyone|anybody)\b|\b(does|do|would) "
    r"(anyone|anybody|someone|somebody) (want|like|have time|mind)|\bany volunteers?\b|"
    r"\bwho (can|could|would|wants to|will|is able to)\b|\b(someone|somebody) (should|needs? to"
    r"|has to|could|can)\b|\bif (someone|somebody|anyone|anybody) (can|could|would|has)\b"
)
_TAKES_IT = Lexicon(
    r"^[^a-z0-9']*(?:(?:yes|yeah|yep|sure|ok|okay|so|um|uh|well|absolutely|definitely|"
    r"of course)[^a-z0-9']+)*"
    r"(i can|i could|i will|i'?ll|i'?m happy to|happy to|i'?m on it|on it|i'?ll do it|will do|"
    r"i'?ll take|i can take|i'?d be happy|i'?m going to|i'?m gonna|let me)\b"
)
_ACCEPTS = Lexicon(
    r"^[^a-z0-9+]*(yes|yeah|yep|sure|agreed|sounds good|that works|works for me|will do|"
    r"i will|i'?ll do|i can|on it|definitely|absolutely|of course|happy to|ok|okay)\b"
)
_TO_OWNER = r"(?:will|'ll|can|could|is going to|'s going to|is gonna|should|needs to|has to|to)"
_AHEAD = r"(?:\s+(?:also|just|probably|then|maybe|still|please))*"


class Participants:
    """The names a meeting's speakers go by, to find who a sentence names."""

    def __init__(self, speakers: list[str]) -> None:
        self.speakers = [s for s in speakers if s and s != UNKNOWN_SPEAKER]
        exact: dict[str, set[str]] = {}
        firsts: dict[str, set[str]] = {}
        for speaker in self.speakers:
            nicknames = [n.casefold() for n in _NICKNAME.findall(speaker)]
            words = [w.casefold() for w in _WORD.findall(_NICKNAME.sub(" ", speaker))]
            if words:
                firsts.setdefault(words[0], set()).add(speaker)
            keys = {w for w in words[:1] if len(w) > 1} | {w for w in words[1:] if len(w) > 2}
            keys |= {n for n in nicknames if len(n) > 2 and " " not in n}
            for key in keys:
                exact.setdefault(key, set()).add(speaker)
        self._cache: dict[tuple[str, bool], str | None] = {}
        # A word that names two people names no one.
        self._exact = {key: next(iter(owners)) for key, owners in exact.items() if len(owners) == 1}
        self._firsts = {
            key: next(iter(owners))
            for key, owners in firsts.items()
            if len(owners) == 1 and len(key) >= FUZZY_MIN_LENGTH
        }

    def named(self, word: str, *, capitalized_inside: bool) -> str | None:
        """The participant ``word`` names, if any."""
        cached = (word, capitalized_inside)
        if cached not in self._cache:
            self._cache[cached] = self._named(word, capitalized_inside)
        return self._cache[cached]

    def _named(self, word: str, capitalized_inside: bool) -> str | None:
        key = word.casefold().removesuffix("'s").removesuffix("\u2019s")
        if key in _ORDINARY and not capitalized_inside:
            return None
        found = self._exact.get(key)
        if found or not capitalized_inside or len(key) < FUZZY_MIN_LENGTH or key in _ORDINARY:
            return found
        best = process.extractOne(
            key, list(self._firsts), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
        )
        return self._firsts[best[0]] if best else None

    def names_in(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, participant) of each name said in ``text``."""
        found = []
        for match in _WORD.finditer(text):
            word = match.group(0)
            inside = match.start() > 0 and word[:1].isupper()
            who = self.named(word, capitalized_inside=inside)
            if who:
                found.append((match.start(), match.end(), who))
        return found


@lru_cache(maxsize=64)
def _spoken_to(name: str) -> tuple[re.Pattern[str], ...]:
    """ "Sam, can you...", "could you, Sam, ...", "..., Sam?"."""
    n = re.escape(name)
    flags = re.IGNORECASE
    return (
        re.compile(rf"^\W*(?:(?:so|and|okay|ok|yeah|then|also|hey|maybe)\W+)*{n}\s*[,:?]", flags),
        re.compile(rf"\b{n},?\s+(?:could|can|would|will|do) you\b", flags),
        re.compile(rf"\b(?:could|can|would|will) you,?\s+{n}\b", flags),
        re.compile(rf",\s*{n}\s*[?.!…]*$", flags),
    )


@lru_cache(maxsize=64)
def _given_work(name: str) -> tuple[re.Pattern[str], ...]:
    """ "Priya will take that", "let's have Jordan look at it", "can Jordan check"."""
    n = re.escape(name)
    flags = re.IGNORECASE
    return (
        re.compile(
            rf"(?:^|[,;]\s*|\b(?:and|so|then|maybe|probably)\s+){n}{_AHEAD}\s+"
            rf"{_TO_OWNER}\b",
            flags,
        ),
        re.compile(
            rf"\b(?:let'?s|can we|could we|we'?ll|we should|maybe we) (?:have|get|ask) "
            rf"{n}\b",
            flags,
        ),
        re.compile(rf"\b(?:can|could|would|will) {n}\s+(?!you\b)\w+", flags),
    )


def named_owner(text: str, speaker: str, participants: Participants) -> str | None:
    """The participant a request gives the work to: named as the doer, or the one it is
    said to; never the speaker, never someone named only as the object ("reach out to
    Sam")."""
    for start, end, who in participants.names_in(text):
        if who == speaker:
            continue
        word = text[start:end]
        patterns = _given_work(word) + _spoken_to(word)
        if any(p.search(text) for p in patterns):
            return who
    return None


def is_first_person(text: str) -> bool:
    """The speaker takes it on: "I'll ask Alex to...", "I can follow up"."""
    return _FIRST_PERSON.search(text)


def asks_for_volunteer(text: str) -> bool:
    return _VOLUNTEER_ASKED.search(text)


def volunteer(following: list[Turn], speaker: str) -> str | None:
    """Who of the next turns takes on what was asked of "someone"."""
    for later in following[:VOLUNTEER_TURNS]:
        if later.speaker in (speaker, UNKNOWN_SPEAKER):
            continue
        if _TAKES_IT.search(later.text):
            return later.speaker
    return None


def accepted_by(following: list[Turn], speaker: str) -> str | None:
    """The next other speaker, when they accept what was asked."""
    for later in following:
        if later.speaker not in (speaker, UNKNOWN_SPEAKER):
            return later.speaker if _ACCEPTS.search(later.text) else None
    return None
