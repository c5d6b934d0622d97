"""Local execution records: each run, its history and its links, kept in PostgreSQL.

Step Functions keeps these in AWS; locally the interpreter forgets them on exit, and support
staff must still see what happened after a restart, or after a crash.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
import uuid
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.sql_parts import columns

_COLUMNS = columns(
    "name, session_id, status, error, cause, started_at, stopped_at, redrive_of, replay_of"
)


def _plain(value: Any) -> Any:
    """History events hold datetimes and enums: make them JSON."""
    return json.loads(json.dumps(value, default=_scalar))


def _scalar(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else str(value)


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class PostgresExecutionRecords:
    def __init__(self, database: Database) -> None:
        self._db = database

    def record_start(
        self, name: str, state_machine: str, payload: dict[str, Any], started_at: dt.datetime
    ) -> None:
        org = payload.get("organization_id")
        if not org:
            return
        with self._db.transaction(uuid.UUID(org)) as conn:
            conn.execute(
                "INSERT INTO executions (name, organization_id, session_id, state_machine, status,"
                " input, started_at, runner_pid) VALUES (%s, %s, %s, %s, 'RUNNING', %s, %s, %s)"
                " ON CONFLICT (name) DO NOTHING",
                (
                    name,
                    uuid.UUID(org),
                    payload.get("session_id"),
                    state_machine,
                    Jsonb(_plain(payload)),
                    started_at,
                    os.getpid(),
                ),
            )

    def link(
        self,
        name: str,
        *,
        redrive_of: str | None = None,
        replay_of: str | None = None,
        org: uuid.UUID | None = None,
    ):
        # Without org (older callers) unscoped: execution names are unique across organizations.
        with self._db.transaction(org) as conn:
            conn.execute(
                "UPDATE executions SET redrive_of = %s, replay_of = %s WHERE name = %s",
                (redrive_of, replay_of, name),
            )

    def record(self, execution: Any, events: list[dict[str, Any]]) -> None:
        """A finished run (moto's Execution) and its history."""
        payload = execution.input_data if isinstance(execution.input_data, dict) else {}
        org = payload.get("organization_id")
        if not org:
            return
        self.record_start(
            execution.name, execution.state_machine.name, payload, execution.start_date
        )
        with self._db.transaction(uuid.UUID(org)) as conn:
            conn.execute(
                "UPDATE executions SET status = %s, output = %s, error = %s, cause = %s,"
                " stopped_at = %s WHERE name = %s",
                (
                    execution.status,
                    Jsonb(_plain(execution.output)) if execution.output is not None else None,
                    execution.error,
                    execution.cause,
                    execution.stop_date or dt.datetime.now(dt.UTC),
                    execution.name,
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

    def list(
        self,
        org: uuid.UUID,
        status: str | None = None,
        since: dt.datetime | None = None,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        with self._db.transaction(org) as conn:
            return conn.execute(
                sql.SQL(
                    "SELECT {} FROM executions WHERE organization_id = %s"
                    " AND (%s::text IS NULL OR status = %s)"
                    " AND (%s::timestamptz IS NULL OR started_at >= %s)"
                    " ORDER BY started_at DESC LIMIT %s"
                ).format(_COLUMNS),
                (org, status, status, since, since, limit),
            ).fetchall()

    def get(self, org: uuid.UUID, name: str) -> dict[str, Any] | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                sql.SQL(
                    "SELECT {}, input FROM executions WHERE organization_id = %s AND name = %s"
                ).format(_COLUMNS),
                (org, name),
            ).fetchone()
            if row is None:
                return None
            events = conn.execute(
                "SELECT event_id, event_type, occurred_at, details FROM execution_events"
                " WHERE organization_id = %s AND execution_name = %s ORDER BY event_id",
                (org, name),
            ).fetchall()
        return {**row, "events": events}

    def names_like(self, org: uuid.UUID, prefix: str) -> list[str]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                "SELECT name FROM executions WHERE organization_id = %s AND name LIKE %s",
                (org, prefix.replace("%", r"\%").replace("_", r"\_") + "%"),
            ).fetchall()
        return [row["name"] for row in rows]

    def abandon_orphans(self, cause: str) -> list[dict[str, Any]]:
        """Runs left RUNNING by a process that no longer exists become ABORTED."""
        # Unscoped: at start-up, the abandoned runs of every organization.
        with self._db.transaction() as conn:
            running = conn.execute(
                "SELECT name, organization_id, session_id, runner_pid, input FROM executions"
                " WHERE status = 'RUNNING' FOR UPDATE"
            ).fetchall()
            orphans = [row for row in running if not _pid_alive(row["runner_pid"])]
            for row in orphans:
                conn.execute(
                    "UPDATE executions SET status = 'ABORTED', error = 'Interrupted',"
                    " cause = %s, stopped_at = now() WHERE name = %s",
                    (cause, row["name"]),
                )
        return orphans
