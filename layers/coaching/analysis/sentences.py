"""Splitting turns into sentences that keep a pointer to their turn."""

from __future__ import annotations

import re
from dataclasses import dataclass

from coaching.domain.transcript import Turn

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'])")


@dataclass(frozen=True)
class Sentence:
    text: str
    turn: int


def sentences_of(turns: list[Turn]) -> list[Sentence]:
    found = []
    for turn in turns:
        for piece in _SENTENCE_END.split(turn.text.strip()):
            piece = piece.strip()
            if piece:
                found.append(Sentence(piece, turn.index))
    return found
