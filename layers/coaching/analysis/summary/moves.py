"""Decisions and next steps: which sentences settle something or plan what comes after."""

from __future__ import annotations

import re
from dataclasses import dataclass

from coaching.analysis.summary.clean import sentences

DECISION = re.compile(
    r"\b(we(?:'ve| have)? decided|decided (?:to|on|that)|decision (?:is|was) |we(?:'re| are) "
    r"(?:all )?agreed|(?:we|they|all) agree(?:d)? (?:on|to|that)|agreed (?:on|to|that)|"
    r"let's go (?:with|for)|we(?:'ll| will) go (?:with|for)|go with|settle[d]? on|"
    r"final (?:decision|choice)|we(?:'ll| will) (?:use|have|keep|stick)|so that's decided|"
    r"the plan is|we chose|we(?:'re| are) going (?:with|for))\b",
    re.IGNORECASE,
)
NEXT_STEP = re.compile(
    r"\b(next (?:meeting|time|session|week|step|steps)|before (?:the )?next|action items?|"
    r"homework|to-?do|by (?:monday|tuesday|wednesday|thursday|friday|tomorrow|next)|"
    r"i(?:'ll| will) (?:send|email|write|prepare|look|check|try|work|do|make|find|talk|"
    r"draft|start|practi[cs]e|book|call|ask|follow)|"
    r"(?:you|we)(?:'ll| will) (?:need to|have to|send|prepare|look|check|work|try)|"
    r"i(?:'m| am) going to (?:try|send|prepare|look|work|talk|start|practi[cs]e|make|ask)|"
    r"follow(?:-| )up|commit to|my next step)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Move:
    turn: int
    speaker: str
    sentence: str
    pattern: re.Pattern[str]


def moves_of(turns: list[tuple[str, str]], pattern: re.Pattern[str]) -> list[Move]:
    found = []
    for index, (speaker, text) in enumerate(turns):
        for sentence in sentences(text):
            if "?" not in sentence and pattern.search(sentence):
                found.append(Move(index, speaker, sentence, pattern))
    return found
