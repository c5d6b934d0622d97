"""Case-insensitive word lists, matched fast on ASCII text.

Python's case-insensitive matching of a long alternation (`\\b(struggl\\w*|difficult|...)\\b`)
tries every alternative with case folding at every position: the analysis' keyword lists
cost more CPU than any other rule. For ASCII text, lower-casing it and matching the
lower-case list exactly is the same test (no ASCII letter folds to anything but its own
other case), and several times faster; other text keeps the case-insensitive pattern.
Typographic apostrophes (Word and Google Docs transcripts write "I’ll") are read as straight
ones, as every list is written.
"""

from __future__ import annotations

import re

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


class Lexicon:
    """Whether a text contains a match of ``body`` (lower case), ignoring case."""

    def __init__(self, body: str) -> None:
        if any(char.isupper() for char in body):
            # An upper-case letter (or class such as \S) would not mean the same on the
            # lower-cased text.
            raise ValueError(f"a lexicon is written in lower case: {body[:40]!r}")
        self.pattern = re.compile(body, re.IGNORECASE)
        self._lower = re.compile(body)

    def search(self, text: str) -> bool:
        if not text.isascii():
            text = text.translate(_APOSTROPHES)
        if text.isascii():
            return self._lower.search(text.lower()) is not None
        return self.pattern.search(text) is not None
