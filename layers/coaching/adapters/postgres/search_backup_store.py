"""PassageBackupStore on PostgreSQL (table search_passages): passages as stored, for the daily
backup, and written back as they were by a restore (vectors as stored, never embedded again).

Unlike the search store, a passage keeps the coach it was indexed with: a backup is a copy
of the table, not a search answer.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence

from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.organizations import organization_ids
from coaching.adapters.postgres.search_store import parse_vector, passage_of, vector_literal
from coaching.ports.search_backup import IndexedPassage, Standing

_PASSAGE_COLUMNS = (
    "id",
    "organization_id",
    "session_id",
    "coach_id",
    "client_id",
    "client_name",
    "speaker",
    "kind",
    "turn_index",
    "turn_end",
    "item_index",
    "start",
    "session_date",
    "session_type",
    "tags",
    "source",
    "text",
)
_COLUMNS = ", ".join(_PASSAGE_COLUMNS)
_SELECT = (
    f"SELECT {_COLUMNS}, model, embedding::text AS embedding, indexed_at"  # noqa: S608 - constant columns
    " FROM search_passages WHERE organization_id = %s AND (%s::uuid IS NULL OR id > %s)"
    " ORDER BY id LIMIT %s"
)
_UPSERT = (
    f"INSERT INTO search_passages ({_COLUMNS}, model, embedding, indexed_at)"  # noqa: S608 - constant columns
    f" VALUES ({', '.join(['%s'] * len(_PASSAGE_COLUMNS))}, %s, %s::vector, %s)"
    " ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(
        f"{column} = EXCLUDED.{column}"
        for column in (*_PASSAGE_COLUMNS[1:], "model", "embedding", "indexed_at")
    )
)


class PostgresPassageBackupStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    def organizations(self) -> list[uuid.UUID]:
        return organization_ids(self._db)

    def count(self, org: uuid.UUID) -> int:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "SELECT count(*) AS n FROM search_passages WHERE organization_id = %s", (org,)
            ).fetchone()
        return int(row["n"]) if row else 0

    def passages(self, org: uuid.UUID, *, size: int) -> Iterator[list[IndexedPassage]]:
        after: uuid.UUID | None = None
        while True:  # a page per transaction: nothing held open while the caller writes
            with self._db.transaction(org) as conn:
                rows = conn.execute(_SELECT, (org, after, after, size)).fetchall()
            if not rows:
                return
            yield [_indexed(row) for row in rows]
            after = rows[-1]["id"]

    def upsert(self, org: uuid.UUID, passages: Sequence[IndexedPassage]) -> None:
        if not passages:
            return
        with self._db.transaction(org) as conn, conn.cursor() as cursor:
            cursor.executemany(_UPSERT, [_values(indexed) for indexed in passages])

    def standing(
        self,
        org: uuid.UUID,
        session_ids: Sequence[uuid.UUID],
        client_ids: Sequence[uuid.UUID],
        since: dt.datetime,
    ) -> Standing:
        with self._db.transaction(org) as conn:
            sessions = conn.execute(
                "SELECT id, updated_at > %s AS changed FROM sessions"
                " WHERE organization_id = %s AND id = ANY(%s)",
                (since, org, list(session_ids)),
            ).fetchall()
            indexed_since = conn.execute(
                "SELECT DISTINCT session_id FROM search_passages"
                " WHERE organization_id = %s AND session_id = ANY(%s) AND indexed_at > %s",
                (org, list(session_ids), since),
            ).fetchall()
            clients = conn.execute(
                "SELECT id FROM clients WHERE organization_id = %s AND id = ANY(%s)",
                (org, list(client_ids)),
            ).fetchall()
        existing = {row["id"] for row in sessions}
        return Standing(
            sessions_gone=frozenset(set(session_ids) - existing),
            sessions_changed=frozenset(
                {row["id"] for row in sessions if row["changed"]}
                | {row["session_id"] for row in indexed_since}
            ),
            clients_gone=frozenset(set(client_ids) - {row["id"] for row in clients}),
        )


def _indexed(row: dict) -> IndexedPassage:
    return IndexedPassage(
        passage=passage_of({name: row[name] for name in _PASSAGE_COLUMNS}),
        vector=parse_vector(row["embedding"]) if row["embedding"] else None,
        model=row["model"],
        indexed_at=row["indexed_at"],
    )


def _values(indexed: IndexedPassage) -> tuple[object, ...]:
    p = indexed.passage
    return (
        p.id,
        p.organization_id,
        p.session_id,
        p.coach_id,
        p.client_id,
        p.client_name,
        p.speaker,
        p.kind,
        p.turn_index,
        p.turn_end,
        p.item_index,
        p.start,
        p.session_date,
        p.session_type,
        list(p.tags),
        p.source,
        p.text,
        indexed.model if indexed.vector is not None else None,
        vector_literal(indexed.vector) if indexed.vector is not None else None,
        indexed.indexed_at,
    )
