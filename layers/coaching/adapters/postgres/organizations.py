"""Organizations on PostgreSQL."""

from __future__ import annotations

import uuid

from coaching.adapters.postgres.database import Database


class PostgresOrganizations:
    def __init__(self, database: Database) -> None:
        self._db = database

    def ensure_organization(self, org: uuid.UUID, name: str) -> None:
        with self._db.transaction(org) as conn:
            conn.execute(
                "INSERT INTO organizations (id, name) VALUES (%s, %s) ON CONFLICT (id) DO NOTHING",
                (org, name),
            )

    def retention_days_by_organization(self) -> dict[uuid.UUID, int]:
        # A system task across organizations: deliberately not scoped to one.
        with self._db.transaction() as conn:
            rows = conn.execute(
                "SELECT id, (settings->>'retention_days')::int AS days FROM organizations"
                " WHERE jsonb_typeof(settings->'retention_days') = 'number'"
            ).fetchall()
        return {row["id"]: row["days"] for row in rows}
