"""Placeholder until the embedder part's tests/fakes/embedder.py lands (then deleted): a
deterministic word-hashing bag of words, unit length, 384 dimensions."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence

from coaching.ports.embedder import EmbeddingUnavailable


class FakeEmbedder:
    model = "fake-hashing-384"
    dimensions = 384

    def __init__(self) -> None:
        self.down = False
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if self.down:
            raise EmbeddingUnavailable("The fake embedder is down (test).")
        self.calls += 1
        return [self._one(text) for text in texts]

    def _one(self, text: str) -> list[float]:
        vector = [0.0] * self.dimensions
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            vector[int.from_bytes(digest[:4], "big") % self.dimensions] += 1.0
        norm = math.sqrt(sum(x * x for x in vector)) or 1.0
        return [x / norm for x in vector]
