"""An embedder that never answers: where no model is wired, search works from keywords.

Indexing stores passages without vectors and a search answers from keywords, saying so
(`"degraded": ["semantic"]`); `coach search reindex` embeds them once a model is wired.
"""

from __future__ import annotations

from collections.abc import Sequence

from coaching.ports.embedder import EmbeddingUnavailable


class UnavailableEmbedder:
    model = "none"
    dimensions = 0

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        raise EmbeddingUnavailable("No embedding model is configured.")
