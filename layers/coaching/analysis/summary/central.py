"""Central sentences: the real sentences that carry most of what a session kept saying.

Two ways to score a sentence, each counting what it adds once across the selection and
dividing by the square root of its length, so a short dense sentence beats a long one that
mentions everything:

* ``cover`` (the overview's quotes): the session's *concepts*, pairs of adjacent words not
  both function words ("remote control", "the budget", "delegate the") said in at least two
  turns, each weighted by the number of turns that say it (Gillick & Favre's concept
  coverage, chosen greedily). Covering what many turns repeat is what a reader of the
  session would also name.
* ``select`` (decisions and next steps): the salience of the topic phrases it contains
  (summary/salience.py).

Spoken openers ("so", "yeah", "I think"), restarts ("you can you can") and cut-off words
("shou should") are trimmed first, and a long sentence is cut to its clauses: an overview
quotes a point, never a passage.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from coaching.analysis.disfluency import said_once
from coaching.analysis.summary.clean import sentences, tokens
from coaching.analysis.summary.lexicon import known_words, stop_words
from coaching.analysis.summary.salience import Phrase, norm

MIN_WORDS = 6
MAX_WORDS = 13
# A whole sentence up to this long is a candidate too, for a session too short to offer a
# shorter piece (callers prefer pieces of MAX_WORDS at most: `is_short`).
LONGEST_WORDS = 17
# A concept said in fewer turns than this is no concept of the session.
CONCEPT_TURNS = 2
_CLAUSE = re.compile(r"(?<=[,;:])\s+|\s+(?=\b(?:but|because|and then|so that|whereas)\b)")
# What people say before the point: dropped from the start of a quoted sentence.
_OPENER = re.compile(
    r"^(?:(?:so|and|but|well|okay|ok|yeah|yes|right|alright|now|oh|like|actually|basically|"
    r"anyway|i mean|you know|i think|i guess|i suppose|i'd say|of course)\b[\s,]*)+",
    re.IGNORECASE,
)
# A word cut off and said again whole: "shou should", "onl only".
_CUT_OFF = re.compile(r"\b(\w{1,6})\s+(?=\1\w)", re.IGNORECASE)
_SPOKEN = re.compile(r",? (?:you know|i mean),?(?= )", re.IGNORECASE)
# A piece opening on a preposition or a linking word is a whole thought only with a verb in
# it: a form of be, have or do, a modal, a contraction or a verb after a subject pronoun
# ("In the end we chose", not "On behalf of the leaders", "Instead of using the one computed").
_LINKING_START = re.compile(
    r"^(?:in|on|for|of|to|with|at|by|from|about|behind|instead|than|as|into|onto|over|under|"
    r"between|through|during|without|within|like|unlike|whether|rather|more|less)\b",
    re.IGNORECASE,
)
_CLAUSE_VERB = re.compile(
    r"\b(?:is|are|was|were|be|been|am|has|have|had|do|does|did|can|could|will|would|"
    r"shall|should|may|might|must|need|needs|want|wants|\w+n't|\w+'(?:s|re|ll|ve|d|m)|"
    r"(?:i|we|you|they|he|she|it|people) \w+)\b",
    re.IGNORECASE,
)
# Pieces that open on a relative word or end on a word that needs more are cut off mid-thought.
_DANGLING = re.compile(
    r"^(?:which|whose|whom)\b|\b(?:the|a|an|and|or|but|of|to|for|with|in|on|at|by|from|"
    r"which|that|if|because|than|as|my|your|our|their|its|is|are|was|were)\W*$",
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
    concepts: frozenset[tuple[str, str]] = frozenset()


def fluent(text: str) -> str:
    """The words as meant: restarts said once, cut-off words and "you know" dropped."""
    text = said_once(text)
    text = _CUT_OFF.sub(lambda m: m.group(0) if m.group(1).lower() in known_words() else "", text)
    return _SPOKEN.sub("", text)


def is_clause(text: str) -> bool:
    """Whether a piece reads as a thought said whole, not a fragment ("On behalf of the...")."""
    if _DANGLING.search(text):
        return False
    return not _LINKING_START.search(text) or bool(_CLAUSE_VERB.search(text))


def concepts_of(text: str) -> set[tuple[str, str]]:
    """Adjacent word pairs, normalised, that are not both function words."""
    stops = stop_words()
    words = [norm(word) for word in tokens(text)]
    pairs = zip(words, words[1:], strict=False)
    return {pair for pair in pairs if not (pair[0] in stops and pair[1] in stops)}


def concept_weights(turns: list[tuple[str, str]]) -> dict[tuple[str, str], float]:
    """Each concept said in at least ``CONCEPT_TURNS`` turns, weighted by how many."""
    said: Counter = Counter()
    for _, text in turns:
        said.update(concepts_of(text))
    return {pair: float(count) for pair, count in said.items() if count >= CONCEPT_TURNS}


def _tidy(text: str) -> str:
    text = _OPENER.sub("", fluent(text.strip()))
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
            size = len(tokens(sentence))
            pieces = [sentence] if size <= MAX_WORDS else _CLAUSE.split(sentence)
            if MAX_WORDS < size <= LONGEST_WORDS:
                pieces.append(sentence)
            for piece in pieces:
                tidy = _tidy(piece)
                size = len(tokens(tidy))
                if MIN_WORDS <= size <= LONGEST_WORDS and is_clause(tidy):
                    keys = _keys(tidy, phrases)
                    if keys:
                        concepts = frozenset(concepts_of(tidy))
                        found.append(
                            Candidate(index, speaker, sentence, tidy, keys, size, concepts)
                        )
    return found


def _gain(candidate: Candidate, weights: dict[tuple, float], covered: set) -> float:
    fresh = sum(weights[key] for key in candidate.keys if key not in covered)
    return fresh / math.sqrt(candidate.words)


def is_short(candidate: Candidate) -> bool:
    return candidate.words <= MAX_WORDS


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


def cover(
    pool: list[Candidate],
    weights: dict[tuple[str, str], float],
    limit: int,
    covered: set,
) -> list[Candidate]:
    """Greedily the pieces adding most uncovered concept weight; ``covered`` grows with each."""

    def gain(candidate: Candidate) -> float:
        fresh = sum(weights.get(pair, 0.0) for pair in candidate.concepts - covered)
        return fresh / math.sqrt(candidate.words)

    chosen: list[Candidate] = []
    remaining = list(pool)
    while remaining and len(chosen) < limit:
        best = max(remaining, key=lambda c: (gain(c), -c.turn))
        if gain(best) <= 0:
            break
        chosen.append(best)
        covered.update(best.concepts)
        remaining = [c for c in remaining if c.turn != best.turn]
    return chosen
