"""PassageStore on PostgreSQL (table search_passages): every indexed text and its vector.

Vectors travel as pgvector's text form ('[0.1,0.2,...]'), so no driver extension is needed.
A passage's coach is read from its session, not from when it was indexed: a session given to
another coach is seen by the new coach's searches at once (search_indexes.py filters so too).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.organizations import organization_ids
from coaching.domain.search import Passage

_COLUMNS = (
    "id, organization_id, session_id, coach_id, client_id, client_name, speaker, kind,"
    " turn_index, turn_end, item_index, start, session_date, session_type, tags, source, text"
)
# The stored passage with its session's current coach.
_FIELDS = (
    "SELECT p.id, p.organization_id, p.session_id, s.coach_id, p.client_id, p.client_name,"
    " p.speaker, p.kind, p.turn_index, p.turn_end, p.item_index, p.start, p.session_date,"
    " p.session_type, p.tags, p.source, p.text"
)
_FROM = (
    " FROM search_passages p JOIN sessions s ON s.id = p.session_id"
    " AND s.organization_id = p.organization_id"
)
_SELECT = _FIELDS + _FROM
_SELECT_WITH_VECTORS = _FIELDS + ", p.model, p.embedding::text AS embedding" + _FROM


def vector_literal(vector: Sequence[float]) -> str:
    return "[" + ",".join(repr(float(x)) for x in vector) + "]"


def parse_vector(text: str) -> list[float]:
    return [float(x) for x in text.strip("[]").split(",")] if text.strip("[]") else []


def passage_of(row: Mapping[str, Any]) -> Passage:
    return Passage.model_validate({**row, "tags": tuple(row["tags"] or ())})


class PostgresPassageStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    def replace_session(
        self,
        org: uuid.UUID,
        session_id: uuid.UUID,
        passages: Sequence[Passage],
        vectors: Sequence[Sequence[float]] | None,
        model: str | None,
    ) -> None:
        if vectors is not None and len(vectors) != len(passages):
            raise ValueError("One vector per passage, or none.")
        rows = [
            (
                *_values(passage),
                model if vectors is not None else None,
                vector_literal(vectors[n]) if vectors is not None else None,
            )
            for n, passage in enumerate(passages)
        ]
        with self._db.transaction(org) as conn:
            conn.execute(
                "DELETE FROM search_passages WHERE organization_id = %s AND session_id = %s",
                (org, session_id),
            )
            with conn.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO search_passages ({_COLUMNS}, model, embedding)"  # noqa: S608 - constant columns
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
                    " %s, %s, %s::vector)",
                    rows,
                )

    def delete_session(self, org: uuid.UUID, session_id: uuid.UUID) -> list[uuid.UUID]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                "DELETE FROM search_passages WHERE organization_id = %s AND session_id = %s"
                " RETURNING id",
                (org, session_id),
            ).fetchall()
        return sorted(row["id"] for row in rows)

    def load(self, org: uuid.UUID, ids: Sequence[uuid.UUID]) -> list[Passage]:
        if not ids:
            return []
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                _SELECT + " WHERE p.organization_id = %s AND p.id = ANY(%s)", (org, list(ids))
            ).fetchall()
        return [passage_of(row) for row in rows]

    def vectors(
        self, org: uuid.UUID, ids: Sequence[uuid.UUID], model: str
    ) -> dict[uuid.UUID, list[float]]:
        if not ids:
            return {}
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                "SELECT id, embedding::text AS embedding FROM search_passages"
                " WHERE organization_id = %s AND id = ANY(%s) AND model = %s",
                (org, list(ids), model),
            ).fetchall()
        return {row["id"]: parse_vector(row["embedding"]) for row in rows}

    def set_vectors(
        self, org: uuid.UUID, vectors: Mapping[uuid.UUID, Sequence[float]], model: str
    ) -> None:
        with self._db.transaction(org) as conn, conn.cursor() as cursor:
            cursor.executemany(
                "UPDATE search_passages SET model = %s, embedding = %s::vector,"
                " indexed_at = now() WHERE organization_id = %s AND id = %s",
                [(model, vector_literal(v), org, pid) for pid, v in vectors.items()],
            )

    def batches(
        self, org: uuid.UUID, *, after: uuid.UUID | None, size: int
    ) -> Iterator[list[tuple[Passage, list[float] | None, str | None]]]:
        while True:
            with self._db.transaction(org) as conn:
                rows = conn.execute(
                    _SELECT_WITH_VECTORS
                    + " WHERE p.organization_id = %s AND (%s::uuid IS NULL OR p.id > %s)"
                    " ORDER BY p.id LIMIT %s",
                    (org, after, after, size),
                ).fetchall()
            if not rows:
                return
            yield [
                (
                    passage_of({k: v for k, v in row.items() if k not in ("model", "embedding")}),
                    parse_vector(row["embedding"]) if row["embedding"] else None,
                    row["model"],
                )
                for row in rows
            ]
            after = rows[-1]["id"]

    def count(self, org: uuid.UUID, *, up_to: uuid.UUID | None = None) -> int:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "SELECT count(*) AS n FROM search_passages WHERE organization_id = %s"
                " AND (%s::uuid IS NULL OR id <= %s)",
                (org, up_to, up_to),
            ).fetchone()
        return int(row["n"]) if row else 0

    def unindexed_sessions(self, org: uuid.UUID) -> list[uuid.UUID]:
        """Completed sessions with nothing in the store (processed before search existed, or
        whose indexing failed): a reindex indexes them first."""
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                "SELECT s.id FROM sessions s WHERE s.organization_id = %s"
                " AND s.processing_status = 'completed' AND NOT EXISTS (SELECT 1"
                " FROM search_passages p WHERE p.session_id = s.id) ORDER BY s.id",
                (org,),
            ).fetchall()
        return [row["id"] for row in rows]


def _values(passage: Passage) -> tuple[Any, ...]:
    return (
        passage.id,
        passage.organization_id,
        passage.session_id,
        passage.coach_id,
        passage.client_id,
        passage.client_name,
        passage.speaker,
        passage.kind,
        passage.turn_index,
        passage.turn_end,
        passage.item_index,
        passage.start,
        passage.session_date,
        passage.session_type,
        list(passage.tags),
        passage.source,
        passage.text,
    )


class PostgresReindexCheckpoints:
    """ReindexCheckpoints on PostgreSQL (table search_reindex_checkpoints)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def organizations(self) -> list[uuid.UUID]:
        return organization_ids(self._db)

    def load(self, org: uuid.UUID) -> uuid.UUID | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "SELECT after_id FROM search_reindex_checkpoints WHERE organization_id = %s",
                (org,),
            ).fetchone()
        return row["after_id"] if row else None

    def save(self, org: uuid.UUID, after: uuid.UUID) -> None:
        with self._db.transaction(org) as conn:
            conn.execute(
                "INSERT INTO search_reindex_checkpoints (organization_id, after_id)"
                " VALUES (%s, %s) ON CONFLICT (organization_id)"
                " DO UPDATE SET after_id = EXCLUDED.after_id, updated_at = now()",
                (org, after),
            )

    def clear(self, org: uuid.UUID) -> None:
        with self._db.transaction(org) as conn:
            conn.execute(
                "DELETE FROM search_reindex_checkpoints WHERE organization_id = %s", (org,)
            )
