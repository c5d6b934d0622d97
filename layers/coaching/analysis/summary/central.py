"""Central sentences: the real sentences that carry most of a session's topic phrases.

A sentence scores the salience of the topic phrases it contains (summary/salience.py), each
phrase counted once across the selection, over the square root of its length, so a short
sentence dense in topics beats a long one that mentions everything. Spoken openers ("so",
"yeah", "I think") are trimmed first, and a long sentence is cut to its densest clause:
an overview quotes a point, never a passage.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from coaching.analysis.summary.clean import sentences, tokens
from coaching.analysis.summary.salience import Phrase, norm

MIN_WORDS = 6
MAX_WORDS = 17
_CLAUSE = re.compile(r"(?<=[,;:])\s+|\s+(?=\b(?:but|because|and then|so that|whereas)\b)")
# What people say before the point: dropped from the start of a quoted sentence.
_OPENER = re.compile(
    r"^(?:(?:so|and|but|well|okay|ok|yeah|yes|right|alright|now|oh|like|actually|basically|"
    r"anyway|i mean|you know|i think|i guess|i suppose|i'd say|of course)\b[\s,]*)+",
    re.IGNORECASE,
)
_TRAILER = re.compile(
    r"(?:[\s,]+(?:you know|i think|i guess|or something|and so on|right))+"
    r"(?=[.!?]?$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Candidate:
    turn: int
    speaker: str
    sentence: str  # as said, to match it with decisions and next steps
    text: str
    keys: frozenset[tuple[str, ...]]
    words: int


def _tidy(text: str) -> str:
    text = _OPENER.sub("", text.strip())
    text = _TRAILER.sub("", text).strip(" ,;:-")
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def _keys(text: str, phrases: dict[tuple, Phrase]) -> frozenset[tuple[str, ...]]:
    words = [norm(word) for word in tokens(text)]
    found = set()
    for size in (1, 2, 3):
        for start in range(len(words) - size + 1):
            key = tuple(words[start : start + size])
            if key in phrases:
                found.add(key)
    return frozenset(found)


def candidates(turns: list[tuple[str, str]], phrases: dict[tuple, Phrase]) -> list[Candidate]:
    """Every quotable piece: a whole sentence when short enough, else its clauses."""
    found = []
    for index, (speaker, text) in enumerate(turns):
        for sentence in sentences(text):
            if sentence.rstrip().endswith("?"):
                continue
            pieces = [sentence] if len(tokens(sentence)) <= MAX_WORDS else _CLAUSE.split(sentence)
            for piece in pieces:
                tidy = _tidy(piece)
                size = len(tokens(tidy))
                if MIN_WORDS <= size <= MAX_WORDS:
                    keys = _keys(tidy, phrases)
                    if keys:
                        found.append(Candidate(index, speaker, sentence, tidy, keys, size))
    return found


def _gain(candidate: Candidate, weights: dict[tuple, float], covered: set) -> float:
    fresh = sum(weights[key] for key in candidate.keys if key not in covered)
    return fresh / math.sqrt(candidate.words)


def select(
    pool: list[Candidate],
    phrases: dict[tuple, Phrase],
    limit: int,
    covered: set[tuple[str, ...]],
) -> list[Candidate]:
    """Greedily the pieces adding most uncovered salience; ``covered`` grows with each pick."""
    weights = {key: phrases[key].salience() for c in pool for key in c.keys}
    chosen: list[Candidate] = []
    remaining = list(pool)
    while remaining and len(chosen) < limit:
        best = max(remaining, key=lambda c: (_gain(c, weights, covered), -c.turn))
        if _gain(best, weights, covered) <= 0:
            break
        chosen.append(best)
        covered.update(best.keys)
        remaining = [c for c in remaining if c.turn != best.turn]
    return chosen
