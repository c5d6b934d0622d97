"""Export schedules in PostgreSQL (table export_schedules, migration 0024)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.sql_parts import columns
from coaching.domain.errors import Conflict
from coaching.ports.export_schedules import ExportSchedule

_SCHEDULE = columns(
    "id, organization_id, created_by, cron, timezone, format, destination, mapping_name,"
    " include_sensitive, enabled, next_run_at, options, created_at"
)


def _schedule(row: dict[str, Any]) -> ExportSchedule:
    return ExportSchedule(**{**row, "options": row["options"] or {}})


class PostgresExportSchedules:
    def __init__(self, database: Database) -> None:
        self._db = database

    def create(self, schedule: ExportSchedule, *, most_per_organization: int) -> ExportSchedule:
        org = schedule.organization_id
        with self._db.transaction(org) as conn:
            # The count and the insert under one lock: two requests cannot both take the last.
            conn.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 17))",
                (f"export-schedules:{org}",),
            )
            count = conn.execute(
                "SELECT count(*) AS n FROM export_schedules WHERE organization_id = %s", (org,)
            ).fetchone()["n"]
            if count >= most_per_organization:
                raise Conflict(
                    f"The organization has {count} export schedules, the most it may have.",
                    hint="Delete one it no longer needs first.",
                )
            row = conn.execute(
                sql.SQL(
                    "INSERT INTO export_schedules (id, organization_id, created_by, cron,"
                    " timezone, format, destination, mapping_name, include_sensitive, enabled,"
                    " next_run_at, options) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
                    " %s, %s) RETURNING {}"
                ).format(_SCHEDULE),
                (
                    schedule.id,
                    org,
                    schedule.created_by,
                    schedule.cron,
                    schedule.timezone,
                    schedule.format,
                    schedule.destination,
                    schedule.mapping_name,
                    schedule.include_sensitive,
                    schedule.enabled,
                    schedule.next_run_at,
                    Jsonb(schedule.options),
                ),
            ).fetchone()
        return _schedule(row)

    def get(self, org: uuid.UUID, schedule_id: uuid.UUID) -> ExportSchedule | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                sql.SQL(
                    "SELECT {} FROM export_schedules WHERE organization_id = %s AND id = %s"
                ).format(_SCHEDULE),
                (org, schedule_id),
            ).fetchone()
        return None if row is None else _schedule(row)

    def list_schedules(self, org: uuid.UUID, created_by: str | None) -> list[ExportSchedule]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT {} FROM export_schedules WHERE organization_id = %(org)s"
                    " AND (%(by)s::text IS NULL OR created_by = %(by)s)"
                    " ORDER BY created_at, id"
                ).format(_SCHEDULE),
                {"org": org, "by": created_by},
            ).fetchall()
        return [_schedule(row) for row in rows]

    def delete(self, org: uuid.UUID, schedule_id: uuid.UUID) -> bool:
        with self._db.transaction(org) as conn:
            cursor = conn.execute(
                "DELETE FROM export_schedules WHERE organization_id = %s AND id = %s",
                (org, schedule_id),
            )
            return cursor.rowcount > 0

    def set_enabled(
        self,
        org: uuid.UUID,
        schedule_id: uuid.UUID,
        *,
        enabled: bool,
        next_run_at: dt.datetime | None,
    ) -> ExportSchedule | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                sql.SQL(
                    "UPDATE export_schedules SET enabled = %s, next_run_at = %s,"
                    " updated_at = now() WHERE organization_id = %s AND id = %s RETURNING {}"
                ).format(_SCHEDULE),
                (enabled, next_run_at, org, schedule_id),
            ).fetchone()
        return None if row is None else _schedule(row)

    def due(self, now: dt.datetime, limit: int) -> list[ExportSchedule]:
        with self._db.transaction() as conn:  # every organization's: a system task
            rows = conn.execute(
                sql.SQL(
                    "SELECT {} FROM export_schedules WHERE enabled AND next_run_at <= %s"
                    " ORDER BY next_run_at, id LIMIT %s"
                ).format(_SCHEDULE),
                (now, limit),
            ).fetchall()
        return [_schedule(row) for row in rows]

    def advance(self, schedule: ExportSchedule, next_run_at: dt.datetime) -> bool:
        with self._db.transaction(schedule.organization_id) as conn:
            cursor = conn.execute(
                "UPDATE export_schedules SET next_run_at = %s, updated_at = now()"
                " WHERE organization_id = %s AND id = %s AND next_run_at IS NOT DISTINCT FROM %s",
                (next_run_at, schedule.organization_id, schedule.id, schedule.next_run_at),
            )
            return cursor.rowcount == 1
