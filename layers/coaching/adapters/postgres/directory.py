"""Coaches and their teams in PostgreSQL."""

from __future__ import annotations

import uuid

from coaching.adapters.postgres.database import Database


class PostgresDirectory:
    def __init__(self, database: Database) -> None:
        self._db = database

    def team_coach_ids(self, org: uuid.UUID, lead_coach_id: uuid.UUID) -> set[uuid.UUID]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                "SELECT id FROM coaches WHERE organization_id = %s"
                " AND (id = %s OR lead_coach_id = %s)",
                (org, lead_coach_id, lead_coach_id),
            ).fetchall()
        return {row["id"] for row in rows}
