"""The audit log in PostgreSQL: append-only from the application's side."""

from __future__ import annotations

import datetime as dt
import uuid

from psycopg.types.json import Jsonb

from coaching.adapters.postgres.database import Database
from coaching.ports.audit import AuditEntry


class PostgresAuditLog:
    def __init__(self, database: Database) -> None:
        self._db = database

    def record(self, entry: AuditEntry) -> None:
        with self._db.transaction(entry.organization_id) as conn:
            conn.execute(
                "INSERT INTO audit_log (organization_id, actor, action, resource_type,"
                " resource_id, source, details) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (
                    entry.organization_id,
                    entry.actor,
                    entry.action,
                    entry.resource_type,
                    entry.resource_id,
                    entry.source,
                    Jsonb(entry.details),
                ),
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
                "SELECT organization_id, actor, action, resource_type, resource_id, source,"
                " details, created_at FROM audit_log WHERE organization_id = %(org)s"
                " AND (%(before)s::timestamptz IS NULL OR created_at < %(before)s)"
                " AND (%(actor)s::text IS NULL OR actor = %(actor)s)"
                " AND (%(type)s::text IS NULL OR resource_type = %(type)s)"
                " AND (%(rid)s::text IS NULL OR resource_id = %(rid)s)"
                " ORDER BY created_at DESC, id DESC LIMIT %(limit)s",
                {
                    "org": org,
                    "before": before,
                    "actor": actor,
                    "type": resource_type,
                    "rid": resource_id,
                    "limit": limit,
                },
            ).fetchall()
        return [AuditEntry(**row) for row in rows]
