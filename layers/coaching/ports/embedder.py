"""Sentence embeddings: a packaged local model offline, OpenAI's in AWS."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Embedder(Protocol):
    # Stored beside every vector: vectors of different models are never compared, and a
    # change of model means `coach search reindex`.
    model: str
    dimensions: int

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit-length vector per text, in order. Raises EmbeddingUnavailable when the
        model cannot answer (the search then answers from keywords and says so)."""
        ...


class EmbeddingUnavailable(Exception):
    """The embedding backend did not answer (timeout, rate limit, outage)."""
