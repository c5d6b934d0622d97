"""VectorIndex on Pinecone (the maintained `pinecone` SDK): one namespace per organization.

Each vector carries the seed's metadata schema (coach, client, session, date, type, kind and
a 200-character preview; never the whole text: results are read back from PostgreSQL).
Pinecone filters compare numbers with `$gte`/`$lte` only, so the session date is stored as
the integer yyyymmdd. A filter that allows nothing asks Pinecone nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from pinecone import Index
from pinecone.errors import PineconeError

from coaching.domain.search import Hit, Passage, SearchFilters
from coaching.ports.search_index import SearchBackendUnavailable

# Pinecone's own advice for upserts: batches of up to 100 vectors (and 2 MB a request).
UPSERT_BATCH = 100
DELETE_BATCH = 1000  # the most ids one delete request takes
PREVIEW_CHARS = 200


class PineconeVectorIndex:
    name = "pinecone"

    def __init__(self, index: Index, *, timeout_seconds: float | None = None) -> None:
        self._index = index
        self._timeout = timeout_seconds

    def upsert(
        self, org: uuid.UUID, passages: Sequence[Passage], vectors: Sequence[Sequence[float]]
    ) -> None:
        if len(passages) != len(vectors):
            raise ValueError("one vector per passage")
        records = [
            {"id": str(p.id), "values": list(v), "metadata": metadata(p)}
            for p, v in zip(passages, vectors, strict=True)
        ]
        for batch in _chunks(records, UPSERT_BATCH):
            self._call(
                "upsert",
                vectors=batch,
                namespace=namespace(org),
                show_progress=False,
                timeout=self._timeout,
            )

    def delete(self, org: uuid.UUID, ids: Sequence[uuid.UUID]) -> None:
        for batch in _chunks([str(i) for i in ids], DELETE_BATCH):
            self._call("delete", ids=batch, namespace=namespace(org), timeout=self._timeout)

    def query(
        self, org: uuid.UUID, vector: Sequence[float], filters: SearchFilters, limit: int
    ) -> list[Hit]:
        condition = metadata_filter(filters)
        if condition is None or limit <= 0:
            return []
        answer = self._call(
            "query",
            top_k=limit,
            vector=list(vector),
            namespace=namespace(org),
            filter=condition or None,
            include_values=False,
            include_metadata=False,
            timeout=self._timeout,
        )
        return [Hit(passage_id=uuid.UUID(m.id), score=m.score) for m in answer.matches]

    def _call(self, method: str, **arguments: Any) -> Any:
        try:
            return getattr(self._index, method)(**arguments)
        except PineconeError as error:
            # The SDK already retried what is worth retrying (429, 5xx, the network). The
            # message names the host and status, never the vectors or the key.
            raise SearchBackendUnavailable(
                f"Pinecone did not answer the {method} ({type(error).__name__})."
            ) from error


def namespace(org: uuid.UUID) -> str:
    return str(org)


def date_number(day: dt.date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def metadata(passage: Passage) -> dict[str, str | int]:
    """The seed's vector schema; Pinecone takes no nulls, so an unknown field is left out."""
    fields: dict[str, str | int | None] = {
        "coach_id": str(passage.coach_id) if passage.coach_id else None,
        "client_id": str(passage.client_id) if passage.client_id else None,
        "session_id": str(passage.session_id),
        "session_date": date_number(passage.session_date) if passage.session_date else None,
        "session_type": passage.session_type,
        "content_type": passage.kind,
        "text_preview": passage.text[:PREVIEW_CHARS],
    }
    return {key: value for key, value in fields.items() if value is not None}


def metadata_filter(filters: SearchFilters) -> dict[str, Any] | None:
    """Every filter as a Pinecone metadata condition; None when a filter allows nothing."""
    sets = {
        "coach_id": filters.coach_ids,
        "client_id": filters.client_ids,
        "session_id": filters.session_ids,
        "content_type": filters.kinds,
        "session_type": filters.session_types,
    }
    conditions: list[dict[str, Any]] = []
    for field, allowed in sets.items():
        if allowed is None:
            continue
        if not allowed:
            return None
        conditions.append({field: {"$in": sorted(str(value) for value in allowed)}})
    dates: dict[str, int] = {}
    if filters.date_from is not None:
        dates["$gte"] = date_number(filters.date_from)
    if filters.date_to is not None:
        dates["$lte"] = date_number(filters.date_to)
    if dates:
        conditions.append({"session_date": dates})
    if len(conditions) == 1:
        return conditions[0]
    return {"$and": conditions} if conditions else {}


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
