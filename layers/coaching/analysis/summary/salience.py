"""Topic phrases: runs of content words scored by repetition, spread and rarity in English.

A phrase is one to three adjacent content words (no stop word, no punctuation between)
said at least twice. Its salience grows with how often and by how many people it was said
and with how rare its words are in general English (summary_data/english_zipf.tsv).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from coaching.analysis.summary.clean import sentences, tokens
from coaching.analysis.summary.lexicon import known_words, stop_words, zipf

MAX_WORDS = 3
LONGER = 0.8
REPEAT = 0.8
# A shorter phrase is dropped when it is mostly said inside one longer phrase.
INSIDE = 0.6
# Phrases made of everyday words only (weight below this) never name a topic.
MIN_WEIGHT = 0.15
# Words that name the occasion itself: topics only inside a phrase ("team meetings").
_GENERIC = {("meeting",), ("session",), ("call",)}
# Endings of words that rarely name a topic alone (adverbs, adjectives, participles).
_MODIFIER = ("ly", "ed", "al", "ous", "ive", "able", "ible", "ful", "less", "ic", "ish")
# A topic is named with "the" when people say it after a determiner at least this often
# ("the remote control", "our budget"); proper names ("Mississippi State") never are.
ARTICLE_SHARE = 0.1
_DETERMINER = r"\b(?:the|this|that|these|those|our|your|their|its|his|her|my|a|an)\s+"
_CHUNK = re.compile(r"[,;:?!.()\"\u2014\u2013]|\s-\s")


@lru_cache(maxsize=65536)
def norm(word: str) -> str:
    word = word.lower().removesuffix("'s").strip("'-")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=65536)
def specificity(word: str) -> float:
    """0.05 for the commonest English words up to 1.2 for rare ones."""
    return min(1.2, max(0.05, (6.2 - zipf(word)) / 3.2))


@dataclass
class Phrase:
    key: tuple[str, ...]
    turns: list[int] = field(default_factory=list)
    speakers: Counter = field(default_factory=Counter)
    surfaces: Counter = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return len(self.turns)

    @property
    def weight(self) -> float:
        """Rarity of the words, longer phrases more telling, lone modifiers less."""
        rarity = sum(specificity(word) for word in self.key) / len(self.key)
        if self.key[-1].endswith(_MODIFIER):
            rarity *= 0.5
        if any(word not in known_words() for word in self.key) and self.count < 4:
            rarity *= 0.4
        return rarity * (1 + LONGER * (len(self.key) - 1))

    @property
    def text(self) -> str:
        return self.surfaces.most_common(1)[0][0]

    def salience(self, turns: set[int] | None = None) -> float:
        count = self.count if turns is None else sum(1 for t in self.turns if t in turns)
        if count == 0:
            return 0.0
        spread = 1 + 0.15 * min(3, len(self.speakers) - 1)
        focus = 1.0 if turns is None else math.sqrt(count / self.count)
        return self.weight * count**REPEAT * spread * focus


def _content(word: str, stops: frozenset[str], names: set[str]) -> bool:
    lower = word.lower()
    if lower in stops or norm(word) in stops or lower in names:
        return False
    if any(ch.isdigit() for ch in word):
        return False
    return len(lower) >= 3 or (word.isupper() and len(word) >= 2)


def _surface(words: list[str], sentence_start: bool) -> str:
    shown = [w if (w.isupper() and len(w) > 1) else w for w in words]
    if sentence_start and shown[0][:1].isupper() and not shown[0].isupper():
        shown[0] = shown[0].lower()
    return " ".join(shown)


def phrases_of(turns: list[tuple[str, str]], speaker_names: set[str]) -> dict[tuple, Phrase]:
    """Every candidate phrase said at least twice, keyed by its normalised words."""
    stops = stop_words()
    found: dict[tuple, Phrase] = defaultdict(lambda: Phrase(()))
    for index, (speaker, text) in enumerate(turns):
        for sentence in sentences(text):
            first = True
            for chunk in _CHUNK.split(sentence):
                run: list[str] = []
                for word in [*tokens(chunk), ""]:
                    if word and _content(word, stops, speaker_names):
                        run.append(word)
                        continue
                    _add_runs(found, run, index, speaker, first)
                    run = []
                    first = False
    result = {}
    for key, phrase in found.items():
        if phrase.count >= 2:
            phrase.key = key
            result[key] = phrase
    inside: set[tuple] = set()
    for key, phrase in result.items():
        if len(key) > 1 and not key[-1].endswith("ly"):
            for part in (key[:-1], key[1:]):
                shorter = result.get(part)
                if shorter is not None and phrase.count >= INSIDE * shorter.count:
                    inside.add(part)
    return {
        key: phrase
        for key, phrase in result.items()
        if key not in inside
        and key not in _GENERIC
        and not key[-1].endswith("ly")
        and phrase.weight >= MIN_WEIGHT
    }


def _add_runs(found, run: list[str], index: int, speaker: str, first: bool) -> None:
    for size in range(1, MAX_WORDS + 1):
        for start in range(0, len(run) - size + 1):
            words = run[start : start + size]
            key = tuple(norm(word) for word in words)
            phrase = found[key]
            phrase.turns.append(index)
            phrase.speakers[speaker] += 1
            phrase.surfaces[_surface(words, first and start == 0)] += 1


def top_phrases(
    phrases: dict[tuple, Phrase],
    limit: int,
    turns: set[int] | None = None,
    avoid: set[str] | None = None,
    by_speaker: str | None = None,
) -> list[Phrase]:
    """The most salient phrases of a scope, no two sharing a word, none using `avoid` words."""
    taken: set[str] = set(avoid or ())
    scored = []
    for phrase in phrases.values():
        score = phrase.salience(turns)
        if by_speaker is not None:
            share = phrase.speakers[by_speaker] / max(1, sum(phrase.speakers.values()))
            score *= share
        if score > 0:
            scored.append((-score, phrase.key, phrase))
    scored.sort()
    chosen: list[Phrase] = []
    for _, key, phrase in scored:
        if len(chosen) >= limit:
            break
        if taken.intersection(key):
            continue
        chosen.append(phrase)
        taken.update(key)
    return chosen


def as_named(phrase: Phrase, turns: list[tuple[str, str]]) -> str:
    """The phrase as a noun phrase in a sentence: "the remote control" when the session says
    it after a determiner ("the", "our", "a"), else as said ("delegation", "Welsh Government").
    ``turns``: the cleaned turns the phrase was read from."""
    text = phrase.text
    if text[:1].isupper():
        return text
    after = re.compile(_DETERMINER + re.escape(text.lower()) + r"\b")
    said = sum(len(after.findall(turns[turn][1].lower())) for turn in set(phrase.turns))
    return f"the {text}" if said >= ARTICLE_SHARE * phrase.count else text
