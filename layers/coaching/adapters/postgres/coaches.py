"""Coaches on PostgreSQL: the look-ups of the pipeline and the uploads."""

from __future__ import annotations

import uuid

from coaching.adapters.postgres.database import Database
from coaching.ports.coaches import CoachName


class PostgresCoaches:
    def __init__(self, database: Database) -> None:
        self._db = database

    def coach_id_by_email(self, org: uuid.UUID, email: str) -> uuid.UUID | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "SELECT id FROM coaches WHERE organization_id = %s AND lower(email) = lower(%s)"
                " ORDER BY created_at LIMIT 1",
                (org, email.strip()),
            ).fetchone()
        return row["id"] if row else None

    def coach_exists(self, org: uuid.UUID, coach_id: uuid.UUID) -> bool:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "SELECT 1 FROM coaches WHERE organization_id = %s AND id = %s", (org, coach_id)
            ).fetchone()
        return row is not None

    def coach_email(self, org: uuid.UUID, coach_id: uuid.UUID) -> str | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "SELECT email FROM coaches WHERE organization_id = %s AND id = %s", (org, coach_id)
            ).fetchone()
        return row["email"] if row else None

    def coach_names(self, org: uuid.UUID) -> list[CoachName]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                "SELECT id, name FROM coaches WHERE organization_id = %s ORDER BY name, id",
                (org,),
            ).fetchall()
        return [CoachName(row["id"], row["name"]) for row in rows]
