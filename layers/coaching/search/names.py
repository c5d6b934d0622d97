"""People named in a question, found fuzzily among the organization's clients and coaches.

"Marcus" finds Marcus Lee, "Jordon" finds Jordan Reyes, "Priya's" finds Priya Shah. What
keeps ordinary words from becoming names: a word is compared with first names (a typo is
forgiven only in a capitalized word of four letters or more) and with last names exactly; a
function word ("will", "may", "mark"...) counts only when capitalized inside the question or
possessive ("Will's"); and among several candidates only the best-scoring ones are kept
(both Sams for "Sam", only Sam Park for "Sam Park").
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from rapidfuzz import fuzz

# A typo of one letter in a six-letter name ("Jordon") scores 83; one in five letters, 80.
FUZZY_CUTOFF = 80.0
FUZZY_MIN_LENGTH = 4
# First and last name are written a space apart (two, by a slip of the thumb).
MAX_NAME_GAP = 2
_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")
_POSSESSIVE = re.compile(r"(?:['\u2019]s|(?<=s)['\u2019])$", re.IGNORECASE)
# Words that are also first names, or too common to be one unless clearly written as a name.
FUNCTION_WORDS = frozenset(
    "a an and are art bill can did do does dawn faith grace hope how i is june joy just may "
    "mark max me miss my of on or pat rich rose sue summer the to was were what when where "
    "which who why will with ray april august".split()
)


@dataclass(frozen=True)
class Person:
    """Someone who may be named: a client or a coach."""

    id: uuid.UUID
    name: str
    role: str  # "client" or "coach"

    @property
    def first(self) -> str:
        return self.name.split()[0].casefold()

    @property
    def last(self) -> str | None:
        parts = self.name.split()
        return parts[-1].casefold() if len(parts) > 1 else None


@dataclass(frozen=True)
class NameMatch:
    """Words of the question (start, end, as written) and the people they name."""

    start: int
    end: int
    words: str
    people: tuple[Person, ...]


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    raw: str
    bare: str  # casefolded, possessive removed
    possessive: bool


def find_names(text: str, people: list[Person]) -> list[NameMatch]:
    """The names in ``text``, full names ("Sam Park") before single words ("Sam")."""
    words = _words(text)
    found: list[NameMatch] = []
    index = 0
    while index < len(words):
        word = words[index]
        pair = words[index + 1] if index + 1 < len(words) else None
        if pair is not None and not word.possessive and _adjacent(text, word, pair):
            best = _best([(_full_name_score(person, word, pair), person) for person in people])
            if best:
                found.append(NameMatch(word.start, pair.end, text[word.start : pair.end], best))
                index += 2
                continue
        if _may_be_a_name(word, first_word=index == 0):
            best = _best([(_single_word_score(person, word), person) for person in people])
            if best:
                found.append(NameMatch(word.start, word.end, text[word.start : word.end], best))
        index += 1
    return found


def _adjacent(text: str, first: _Word, last: _Word) -> bool:
    """Written as one name: apart by a space or two, not by punctuation or by a phrase
    already understood (blanked out, so longer)."""
    gap = text[first.end : last.start]
    return len(gap) <= MAX_NAME_GAP and gap.isspace()


def _words(text: str) -> list[_Word]:
    words = []
    for match in _WORD.finditer(text):
        raw = match.group()
        bare = _POSSESSIVE.sub("", raw)
        words.append(
            _Word(match.start(), match.end(), raw, bare.casefold(), possessive=bare != raw)
        )
    return words


def _may_be_a_name(word: _Word, *, first_word: bool) -> bool:
    if len(word.bare) < 2:
        return False
    if word.bare in FUNCTION_WORDS:
        return word.raw[0].isupper() and (word.possessive or not first_word)
    return True


def _single_word_score(person: Person, word: _Word) -> float:
    if word.bare in {person.first, person.last}:
        return 100.0
    if word.raw[0].isupper() and len(word.bare) >= FUZZY_MIN_LENGTH:
        return fuzz.ratio(person.first, word.bare, score_cutoff=FUZZY_CUTOFF)
    return 0.0


def _full_name_score(person: Person, first: _Word, last: _Word) -> float:
    if person.last is None:
        return 0.0
    if (first.bare, last.bare) == (person.first, person.last):
        return 100.0
    if not first.raw[0].isupper():
        return 0.0  # a typo is forgiven only in a word written as a name
    parts = min(fuzz.ratio(person.first, first.bare), fuzz.ratio(person.last, last.bare))
    if parts < FUZZY_CUTOFF:
        return 0.0
    return fuzz.ratio(f"{person.first} {person.last}", f"{first.bare} {last.bare}")


def _best(scored: list[tuple[float, Person]]) -> tuple[Person, ...]:
    top = max((value for value, _ in scored), default=0.0)
    if top < FUZZY_CUTOFF:
        return ()
    return tuple(person for value, person in scored if value == top)
