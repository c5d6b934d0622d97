"""Search: PostgreSQL keeps every passage and vector; two indexes answer ids for a query.

Locally both indexes are the same PostgreSQL table (pgvector HNSW, full-text search); in
AWS they are Pinecone (one namespace per organization) and OpenSearch (BM25, one index
alias per organization). Either can be rebuilt from the PassageStore at any time.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from coaching.domain.search import Hit, Passage, SearchFilters
from coaching.ports.embedder import Embedder


class PassageStore(Protocol):
    """The source of truth: every indexed text, its metadata and its vector."""

    def replace_session(
        self,
        org: uuid.UUID,
        session_id: uuid.UUID,
        passages: Sequence[Passage],
        vectors: Sequence[Sequence[float]] | None,
        model: str | None,
    ) -> None:
        """Drops the session's passages and writes these (vectors None: keywords only,
        for now; a reindex embeds them later)."""
        ...

    def delete_session(self, org: uuid.UUID, session_id: uuid.UUID) -> list[uuid.UUID]:
        """Removes the session's passages; answers their ids (for the remote indexes)."""
        ...

    def load(self, org: uuid.UUID, ids: Sequence[uuid.UUID]) -> list[Passage]:
        """The passages of these ids that still exist in the organization, in any order."""
        ...

    def vectors(
        self, org: uuid.UUID, ids: Sequence[uuid.UUID], model: str
    ) -> dict[uuid.UUID, list[float]]:
        """Stored vectors of this model (for "more like this")."""
        ...

    def batches(
        self, org: uuid.UUID, *, after: uuid.UUID | None, size: int
    ) -> Iterator[list[tuple[Passage, list[float] | None, str | None]]]:
        """Every passage of the organization with its vector and model, in id order from
        just after `after` (a reindex resumes from the last id it finished)."""
        ...

    def set_vectors(
        self, org: uuid.UUID, vectors: Mapping[uuid.UUID, Sequence[float]], model: str
    ) -> None:
        """Stores these passages' vectors (a reindex filling or replacing them)."""
        ...

    def count(self, org: uuid.UUID, *, up_to: uuid.UUID | None = None) -> int:
        """How many passages the organization has (with ids up to ``up_to``, inclusive)."""
        ...

    def unindexed_sessions(self, org: uuid.UUID) -> list[uuid.UUID]:
        """Completed sessions with no passage stored, in id order."""
        ...


class VectorIndex(Protocol):
    name: str  # "pgvector", "pinecone"

    def upsert(
        self, org: uuid.UUID, passages: Sequence[Passage], vectors: Sequence[Sequence[float]]
    ) -> None: ...

    def delete(self, org: uuid.UUID, ids: Sequence[uuid.UUID]) -> None: ...

    def query(
        self, org: uuid.UUID, vector: Sequence[float], filters: SearchFilters, limit: int
    ) -> list[Hit]:
        """Nearest passages by cosine similarity, best first. Raises
        SearchBackendUnavailable when it cannot answer."""
        ...


class KeywordIndex(Protocol):
    name: str  # "postgres", "opensearch"

    def upsert(self, org: uuid.UUID, passages: Sequence[Passage]) -> None: ...

    def delete(self, org: uuid.UUID, ids: Sequence[uuid.UUID]) -> None: ...

    def query(self, org: uuid.UUID, text: str, filters: SearchFilters, limit: int) -> list[Hit]:
        """Best keyword matches (BM25 or ts_rank), best first. Raises
        SearchBackendUnavailable when it cannot answer."""
        ...


class ReindexCheckpoints(Protocol):
    """Where a reindex got to, per organization, so an interrupted one resumes."""

    def organizations(self) -> list[uuid.UUID]:
        """Every organization (a system task across them)."""
        ...

    def load(self, org: uuid.UUID) -> uuid.UUID | None:
        """The last passage id a reindex finished, if one was interrupted."""
        ...

    def save(self, org: uuid.UUID, after: uuid.UUID) -> None: ...

    def clear(self, org: uuid.UUID) -> None: ...


class SearchBackendUnavailable(Exception):
    """A search backend did not answer; the other one's results stand alone."""


class SearchPorts(Protocol):
    """What indexing and searching use: the store, the two indexes and the embedder."""

    store: PassageStore
    vectors: VectorIndex
    keywords: KeywordIndex
    embedder: Embedder


@dataclass(frozen=True)
class SearchServices:
    """The SearchPorts one runtime wires (composition.py), or a test's fakes."""

    store: PassageStore
    vectors: VectorIndex
    keywords: KeywordIndex
    embedder: Embedder
