"""Embedder without a model: a hashed bag of words, so "semantic" ranking in tests means
something (texts sharing content words are closer) and every run gives the same vectors.

Each content word (lower-cased, stop words dropped, Snowball-stemmed: "delegating" and
"delegation" meet) adds +1 or -1 at one of 384 positions chosen by its hash; the sum is
scaled to unit length. A text with no content word gets one fixed vector.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence

import snowballstemmer

from coaching.analysis.summary.lexicon import stop_words

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_STEMMER = snowballstemmer.stemmer("english")


class FakeEmbedder:
    model = "fake-bag-of-words"
    dimensions = 384

    def __init__(self) -> None:
        self.calls: list[list[str]] = []  # what each embed() was asked, for tests to read

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        return [self.vector(text) for text in texts]

    def vector(self, text: str) -> list[float]:
        values = [0.0] * self.dimensions
        for stem in content_stems(text):
            digest = hashlib.blake2b(stem.encode(), digest_size=8).digest()
            position = int.from_bytes(digest[:4], "big") % self.dimensions
            values[position] += 1.0 if digest[4] & 1 else -1.0
        norm = math.sqrt(sum(value * value for value in values))
        if norm == 0:
            values[0], norm = 1.0, 1.0  # nothing to say: one fixed direction
        return [value / norm for value in values]


def content_stems(text: str) -> list[str]:
    stops = stop_words()
    words = [word for word in _WORD.findall(text.lower()) if word not in stops]
    return list(_STEMMER.stemWords(words))
