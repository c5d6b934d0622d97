"""Spoken sentences as they would be written, for matching phrases against them.

Automatic captions keep every pause and false start: "let's give it, like, 2 to 3 minutes
more", "then I'll give a quick, benchmarking update", "the group will… the group will
discuss that". A phrase list written for plain sentences misses all three; matching it
against the fluent form as well finds them.
"""

from __future__ import annotations

import re
from typing import Protocol

_PAUSE = re.compile(r"\s*(?:,|…|\.\.\.|—|\s-\s)\s*")
_FILLER = re.compile(r"\b(?:like|um+|uh+|erm|you know|i mean)\b\s*", re.IGNORECASE)
# A word or a few said twice in a row: "the group will the group will", "you can, you can".
_RESTART = re.compile(r"\b(\w+(?:'\w+)?(?: \w+(?:'\w+)?){0,3}),? \1\b", re.IGNORECASE)
_SPACES = re.compile(r"\s{2,}")


def fluent(text: str) -> str:
    """The sentence without pauses (commas, ellipses, dashes), fillers and restarts."""
    text = _FILLER.sub("", _PAUSE.sub(" ", text))
    return _SPACES.sub(" ", said_once(text)).strip()


def said_once(text: str) -> str:
    """The words said again at once ("you can you can press") said once."""
    previous = None
    while previous != text:  # "I… I… I will" takes more than one pass
        previous, text = text, _RESTART.sub(r"\1", text)
    return text


class _Phrases(Protocol):
    def search(self, text: str) -> bool: ...


def says_any(phrases: _Phrases, text: str) -> bool:
    """Whether a phrase list (a Lexicon) matches the sentence as said or as written."""
    return phrases.search(text) or phrases.search(fluent(text))
