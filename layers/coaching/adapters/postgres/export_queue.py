"""The export queue over export_runs (migration 0024): enqueue under a per-actor lock, claim
with a conditional update so exactly one worker runs a queued run. A claim stamps
``started_at`` and leaves the status ``queued``: run_export itself moves a queued run to
running (and refuses any other).

A run whose worker died mid-way (a Lambda cut off at its timeout, a killed `coach serve`)
stays ``running``; once it has run longer than ``interrupted_after`` a claim (Lambda's retry
of the same event, the local sweep) takes it again as ``failed`` ("interrupted"), and
run_export resumes a failed run, keeping the files it finished."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.sql_parts import columns
from coaching.domain.errors import Conflict
from coaching.ports.export_jobs import ClaimedRun
from coaching.ports.export_runs import ExportRun

_RUN = columns(
    "id, organization_id, schedule_id, actor, format, status, options, since, watermark,"
    " row_counts, manifest, error, created_at, started_at, finished_at"
)


def run_of(row: dict[str, Any]) -> ExportRun:
    return ExportRun(
        **{**row, "options": row["options"] or {}, "row_counts": row["row_counts"] or {}}
    )


# What "interrupted" means where nothing else says: longer than a Lambda may ever run (15 min).
INTERRUPTED_AFTER = dt.timedelta(minutes=16)
_TAKEABLE = sql.SQL(
    "((status = 'queued' AND started_at IS NULL)"
    " OR (status = 'running' AND started_at < now() - %(interrupted_after)s))"
)


class PostgresExportQueue:
    def __init__(
        self, database: Database, *, interrupted_after: dt.timedelta = INTERRUPTED_AFTER
    ) -> None:
        self._db = database
        self._interrupted_after = interrupted_after

    def enqueue(self, run: ExportRun, *, one_at_a_time: bool) -> None:
        with self._db.transaction(run.organization_id) as conn:
            if one_at_a_time:
                # Two requests at once must not both pass the check: one lock per actor.
                conn.execute(
                    "SELECT pg_advisory_xact_lock(hashtextextended(%s, 17))",
                    (f"export:{run.organization_id}:{run.actor}",),
                )
                busy = conn.execute(
                    "SELECT id FROM export_runs WHERE organization_id = %s AND actor = %s"
                    " AND schedule_id IS NULL AND status IN ('queued', 'running')"
                    " AND COALESCE(started_at, created_at) > now() - interval '6 hours' LIMIT 1",
                    (run.organization_id, run.actor),
                ).fetchone()
                if busy is not None:
                    raise Conflict(
                        f"Your export {busy['id']} has not finished yet.",
                        hint="Wait for it (GET /v1/export/jobs/{id}) and ask again.",
                    )
            conn.execute(
                "INSERT INTO export_runs (id, organization_id, schedule_id, actor, format,"
                " status, options, since) VALUES (%s, %s, %s, %s, %s, 'queued', %s, %s)",
                (
                    run.id,
                    run.organization_id,
                    run.schedule_id,
                    run.actor,
                    run.format,
                    Jsonb(run.options),
                    run.since,
                ),
            )

    def claim(self, run_id: uuid.UUID) -> ClaimedRun | None:
        with self._db.transaction() as conn:  # by id across organizations: a system task
            row = conn.execute(
                sql.SQL(
                    "UPDATE export_runs SET started_at = now(),"
                    " error = CASE WHEN status = 'running' THEN 'interrupted' ELSE error END,"
                    " status = CASE WHEN status = 'running' THEN 'failed' ELSE status END"
                    " WHERE id = %(id)s AND {} RETURNING {}"
                ).format(_TAKEABLE, _RUN),
                {"id": run_id, "interrupted_after": self._interrupted_after},
            ).fetchone()
        if row is None:
            return None
        run = run_of(row)
        return ClaimedRun(run.organization_id, run)

    def queued(self, limit: int) -> list[uuid.UUID]:
        with self._db.transaction() as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT id FROM export_runs WHERE {} ORDER BY created_at, id LIMIT %(limit)s"
                ).format(_TAKEABLE),
                {"limit": limit, "interrupted_after": self._interrupted_after},
            ).fetchall()
        return [row["id"] for row in rows]

    def recent(self, org: uuid.UUID, actor: str | None, limit: int) -> list[ExportRun]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT {} FROM export_runs WHERE organization_id = %(org)s"
                    " AND (%(actor)s::text IS NULL OR actor = %(actor)s)"
                    " ORDER BY created_at DESC, id LIMIT %(limit)s"
                ).format(_RUN),
                {"org": org, "actor": actor, "limit": limit},
            ).fetchall()
        return [run_of(row) for row in rows]
