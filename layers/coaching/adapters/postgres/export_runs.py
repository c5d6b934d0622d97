"""ExportRuns on PostgreSQL (table export_runs, migration 0024), scoped by organization."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from psycopg.types.json import Jsonb

from coaching.adapters.postgres.database import Database
from coaching.domain.errors import NotFound
from coaching.ports.export_runs import ExportRun

_COLUMNS = (
    "id, organization_id, actor, format, status, options, schedule_id, since, watermark,"
    " row_counts, manifest, error, created_at, started_at, finished_at"
)


class PostgresExportRuns:
    def __init__(self, database: Database) -> None:
        self._db = database

    def create(self, run: ExportRun) -> None:
        with self._db.transaction(run.organization_id) as conn:
            conn.execute(
                "INSERT INTO export_runs (id, organization_id, actor, format, status, options,"
                " schedule_id, since, watermark, row_counts, manifest, error)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    run.id,
                    run.organization_id,
                    run.actor,
                    run.format,
                    run.status,
                    Jsonb(run.options),
                    run.schedule_id,
                    run.since,
                    run.watermark,
                    Jsonb(run.row_counts),
                    Jsonb(run.manifest) if run.manifest is not None else None,
                    run.error,
                ),
            )

    def get(self, org: uuid.UUID, run_id: uuid.UUID) -> ExportRun | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM export_runs"  # noqa: S608 - constant column list
                " WHERE organization_id = %s AND id = %s",
                (org, run_id),
            ).fetchone()
        return _run(row) if row else None

    def list_runs(
        self, org: uuid.UUID, *, schedule_id: uuid.UUID | None = None, limit: int = 50
    ) -> list[ExportRun]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM export_runs"  # noqa: S608 - constant column list
                " WHERE organization_id = %(org)s"
                " AND (%(schedule)s::uuid IS NULL OR schedule_id = %(schedule)s::uuid)"
                " ORDER BY created_at DESC, id LIMIT %(limit)s",
                {"org": org, "schedule": schedule_id, "limit": limit},
            ).fetchall()
        return [_run(row) for row in rows]

    def start(
        self,
        org: uuid.UUID,
        run_id: uuid.UUID,
        *,
        since: dt.datetime | None,
        watermark: dt.datetime | None = None,
    ) -> dt.datetime:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "UPDATE export_runs SET status = 'running', since = %s,"
                " watermark = COALESCE(%s, now()), error = NULL, started_at = now(),"
                " finished_at = NULL WHERE organization_id = %s AND id = %s"
                " RETURNING watermark",
                (since, watermark, org, run_id),
            ).fetchone()
        if row is None:
            raise NotFound(f"Export run {run_id} does not exist.")
        return row["watermark"]  # type: ignore[no-any-return]

    def record_progress(self, org: uuid.UUID, run_id: uuid.UUID, manifest: dict[str, Any]) -> None:
        with self._db.transaction(org) as conn:
            conn.execute(
                "UPDATE export_runs SET manifest = %s WHERE organization_id = %s AND id = %s",
                (Jsonb(manifest), org, run_id),
            )

    def finish(
        self,
        org: uuid.UUID,
        run_id: uuid.UUID,
        *,
        status: Literal["succeeded", "failed"],
        row_counts: dict[str, int],
        manifest: dict[str, Any] | None,
        error: str | None = None,
    ) -> None:
        with self._db.transaction(org) as conn:
            conn.execute(
                "UPDATE export_runs SET status = %s, row_counts = %s,"
                " manifest = COALESCE(%s, manifest), error = %s, finished_at = now()"
                " WHERE organization_id = %s AND id = %s",
                (
                    status,
                    Jsonb(row_counts),
                    Jsonb(manifest) if manifest is not None else None,
                    error,
                    org,
                    run_id,
                ),
            )

    def last_success_watermark(self, org: uuid.UUID, schedule_id: uuid.UUID) -> dt.datetime | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "SELECT max(watermark) AS watermark FROM export_runs"
                " WHERE organization_id = %s AND schedule_id = %s AND status = 'succeeded'",
                (org, schedule_id),
            ).fetchone()
        return row["watermark"] if row else None


def _run(row: dict[str, Any]) -> ExportRun:
    return ExportRun(
        id=row["id"],
        organization_id=row["organization_id"],
        actor=row["actor"],
        format=row["format"],
        status=row["status"],
        options=row["options"] or {},
        schedule_id=row["schedule_id"],
        since=row["since"],
        watermark=row["watermark"],
        row_counts=row["row_counts"] or {},
        manifest=row["manifest"],
        error=row["error"],
        created_at=row["created_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
    )
