"""The audit log in PostgreSQL: append-only from the application's side."""

from __future__ import annotations

import datetime as dt
import uuid

from psycopg import sql
from psycopg.types.json import Jsonb

from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.sql_parts import columns
from coaching.ports.audit import AuditEntry, AuditPosition

_COLUMNS = columns(
    "id, organization_id, actor, action, resource_type, resource_id, source, details,"
    " created_at, client_ids"
)


class PostgresAuditLog:
    def __init__(self, database: Database) -> None:
        self._db = database

    def record(self, entry: AuditEntry) -> None:
        with self._db.transaction(entry.organization_id) as conn:
            conn.execute(
                "INSERT INTO audit_log (organization_id, actor, action, resource_type,"
                " resource_id, source, details, client_ids)"
                " VALUES (%(org)s, %(actor)s, %(action)s, %(type)s, %(rid)s, %(source)s,"
                " %(details)s,"
                # The named clients and every client of the named sessions, in one statement.
                "  ARRAY(SELECT unnest(%(clients)s::uuid[]) UNION"
                "   SELECT client_id FROM session_participants WHERE organization_id = %(org)s"
                "   AND session_id = ANY(%(sessions)s::uuid[]) AND client_id IS NOT NULL UNION"
                "   SELECT client_id FROM client_sessions WHERE organization_id = %(org)s"
                "   AND session_id = ANY(%(sessions)s::uuid[])))",
                {
                    "org": entry.organization_id,
                    "actor": entry.actor,
                    "action": entry.action,
                    "type": entry.resource_type,
                    "rid": entry.resource_id,
                    "source": entry.source,
                    "details": Jsonb(entry.details),
                    "clients": [str(c) for c in entry.client_ids],
                    "sessions": [str(s) for s in entry.session_ids],
                },
            )

    def entries(
        self,
        org: uuid.UUID,
        *,
        limit: int = 100,
        before: dt.datetime | None = None,
        actor: str | None = None,
        resource_type: str | None = None,
        resource_id: str | None = None,
    ) -> list[AuditEntry]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT {} FROM audit_log WHERE organization_id = %(org)s"
                    " AND (%(before)s::timestamptz IS NULL OR created_at < %(before)s)"
                    " AND (%(actor)s::text IS NULL OR actor = %(actor)s)"
                    " AND (%(type)s::text IS NULL OR resource_type = %(type)s)"
                    " AND (%(rid)s::text IS NULL OR resource_id = %(rid)s)"
                    " ORDER BY created_at DESC, id DESC LIMIT %(limit)s"
                ).format(_COLUMNS),
                {
                    "org": org,
                    "before": before,
                    "actor": actor,
                    "type": resource_type,
                    "rid": resource_id,
                    "limit": limit,
                },
            ).fetchall()
        return [_entry(row) for row in rows]

    def client_access(
        self,
        org: uuid.UUID,
        client_id: uuid.UUID,
        *,
        limit: int,
        after: AuditPosition | None = None,
    ) -> list[AuditEntry]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT {} FROM audit_log WHERE organization_id = %(org)s"
                    " AND client_ids @> ARRAY[%(client)s::uuid]"
                    " AND (%(at)s::timestamptz IS NULL"
                    "  OR (created_at, id) < (%(at)s::timestamptz, %(id)s::bigint))"
                    " ORDER BY created_at DESC, id DESC LIMIT %(limit)s"
                ).format(_COLUMNS),
                {
                    "org": org,
                    "client": client_id,
                    "at": after.created_at if after else None,
                    "id": after.id if after else None,
                    "limit": limit,
                },
            ).fetchall()
        return [_entry(row) for row in rows]

    def purge_before(self, org: uuid.UUID, cutoff: dt.datetime) -> int:
        # The owner: the application role cannot delete audit records (migration 0007).
        with self._db.transaction() as conn:
            return conn.execute(
                "DELETE FROM audit_log WHERE organization_id = %s AND created_at < %s",
                (org, cutoff),
            ).rowcount


def _entry(row: dict) -> AuditEntry:
    return AuditEntry(**{**row, "client_ids": tuple(row["client_ids"])})
