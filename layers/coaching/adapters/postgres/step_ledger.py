"""StepLedger on PostgreSQL (table step_runs)."""

from __future__ import annotations

import uuid
from typing import Any

from psycopg.types.json import Jsonb

from coaching.adapters.postgres.database import Database


class PostgresStepLedger:
    def __init__(self, database: Database) -> None:
        self._db = database

    def completed_step(
        self, org: uuid.UUID, session_id: uuid.UUID, step: str, item: str = ""
    ) -> dict[str, Any] | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "SELECT output FROM step_runs WHERE organization_id = %s AND session_id = %s"
                " AND step = %s AND item = %s",
                (org, session_id, step, item),
            ).fetchone()
        return row["output"] if row else None

    def record_step(
        self, org: uuid.UUID, session_id: uuid.UUID, step: str, item: str, output: dict[str, Any]
    ) -> None:
        with self._db.transaction(org) as conn:
            conn.execute(
                "INSERT INTO step_runs (organization_id, session_id, step, item, output)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (session_id, step, item)"
                " DO UPDATE SET output = EXCLUDED.output, completed_at = now()",
                (org, session_id, step, item, Jsonb(output)),
            )

    def forget_steps(self, org: uuid.UUID, session_id: uuid.UUID, steps: list[str]) -> int:
        with self._db.transaction(org) as conn:
            cursor = conn.execute(
                "DELETE FROM step_runs WHERE organization_id = %s AND session_id = %s"
                " AND step = ANY(%s)",
                (org, session_id, steps),
            )
        return cursor.rowcount
