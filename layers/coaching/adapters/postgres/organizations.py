"""Organizations on PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

from psycopg.types.json import Jsonb

from coaching.adapters.postgres.database import Database


def organization_ids(database: Database) -> list[uuid.UUID]:
    """Every organization, in id order: for system tasks that go through them one by one
    (a reindex, a backup), deliberately not scoped to one."""
    with database.transaction() as conn:
        rows = conn.execute("SELECT id FROM organizations ORDER BY id").fetchall()
    return [row["id"] for row in rows]


class PostgresOrganizations:
    def __init__(self, database: Database) -> None:
        self._db = database
        # Organizations are never deleted (coach_app may not): one that exists stays so.
        self._known_organizations: set[uuid.UUID] = set()

    def ensure_organization(self, org: uuid.UUID, name: str) -> None:
        with self._db.transaction(org) as conn:
            conn.execute(
                "INSERT INTO organizations (id, name) VALUES (%s, %s) ON CONFLICT (id) DO NOTHING",
                (org, name),
            )

    def organization_exists(self, org: uuid.UUID) -> bool:
        if org in self._known_organizations:
            return True
        with self._db.transaction(org) as conn:
            row = conn.execute("SELECT 1 FROM organizations WHERE id = %s", (org,)).fetchone()
        if row is not None:
            self._known_organizations.add(org)
        return row is not None

    def organization_settings(self, org: uuid.UUID) -> dict[str, Any]:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "SELECT settings FROM organizations WHERE id = %s", (org,)
            ).fetchone()
        return dict(row["settings"]) if row else {}

    def update_organization_settings(self, org: uuid.UUID, changes: dict[str, Any]) -> dict:
        """Merges ``changes`` into the settings (a None value removes the key)."""
        removed = [key for key, value in changes.items() if value is None]
        kept = {key: value for key, value in changes.items() if value is not None}
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "UPDATE organizations SET settings = (settings || %s) - %s::text[]"
                " WHERE id = %s RETURNING settings",
                (Jsonb(kept), removed, org),
            ).fetchone()
        return dict(row["settings"]) if row else {}

    def retention_days_by_organization(self) -> dict[uuid.UUID, int]:
        # A system task across organizations: deliberately not scoped to one.
        with self._db.transaction() as conn:
            rows = conn.execute(
                "SELECT id, (settings->>'retention_days')::int AS days FROM organizations"
                " WHERE jsonb_typeof(settings->'retention_days') = 'number'"
            ).fetchall()
        return {row["id"]: row["days"] for row in rows}
