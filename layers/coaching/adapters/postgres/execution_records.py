"""Local execution records: each finished run and its history, kept in PostgreSQL.

Step Functions keeps these in AWS; locally the interpreter forgets them on exit, and support
staff must still see what happened after a restart.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import uuid
from typing import Any

from psycopg.types.json import Jsonb

from coaching.adapters.postgres.database import Database


def _plain(value: Any) -> Any:
    """History events hold datetimes and enums: make them JSON."""
    return json.loads(json.dumps(value, default=_scalar))


def _scalar(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else str(value)


class PostgresExecutionRecords:
    def __init__(self, database: Database) -> None:
        self._db = database

    def record(self, execution: Any, events: list[dict[str, Any]]) -> None:
        payload = execution.input_data if isinstance(execution.input_data, dict) else {}
        org = payload.get("organization_id")
        if not org:
            return
        session_id = payload.get("session_id")
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO executions (name, organization_id, session_id, state_machine, status,"
                " input, output, error, cause, started_at, stopped_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (name) DO UPDATE SET status = EXCLUDED.status,"
                " output = EXCLUDED.output, error = EXCLUDED.error, cause = EXCLUDED.cause,"
                " stopped_at = EXCLUDED.stopped_at",
                (
                    execution.name,
                    uuid.UUID(org),
                    session_id,
                    execution.state_machine.name,
                    execution.status,
                    Jsonb(_plain(payload)),
                    Jsonb(_plain(execution.output)) if execution.output is not None else None,
                    execution.error,
                    execution.cause,
                    execution.start_date,
                    execution.stop_date or dt.datetime.now(dt.UTC),
                ),
            )
            conn.execute(
                "DELETE FROM execution_events WHERE execution_name = %s", (execution.name,)
            )
            with conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO execution_events (execution_name, organization_id, event_id,"
                    " event_type, occurred_at, details) VALUES (%s, %s, %s, %s, %s, %s)",
                    [
                        (
                            execution.name,
                            uuid.UUID(org),
                            int(event["id"]),
                            _scalar(event["type"]),
                            event["timestamp"],
                            Jsonb(
                                _plain(
                                    {
                                        k: v
                                        for k, v in event.items()
                                        if k not in ("id", "type", "timestamp")
                                    }
                                )
                            ),
                        )
                        for event in events
                    ],
                )

    def get(self, org: uuid.UUID, name: str) -> dict[str, Any] | None:
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT name, session_id, status, error, cause, started_at, stopped_at"
                " FROM executions WHERE organization_id = %s AND name = %s",
                (org, name),
            ).fetchone()
            if row is None:
                return None
            events = conn.execute(
                "SELECT event_id, event_type, occurred_at FROM execution_events"
                " WHERE organization_id = %s AND execution_name = %s ORDER BY event_id",
                (org, name),
            ).fetchall()
        return {**row, "events": events}
