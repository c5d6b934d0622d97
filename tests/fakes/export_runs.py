"""ExportRuns in memory: runs by organization and id; the clock a watermark is read from is
injectable (the PostgreSQL adapter reads the database's)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any, Literal

from coaching.domain.errors import NotFound
from coaching.ports.export_runs import ExportRun


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class FakeExportRuns:
    def __init__(self, clock: Callable[[], dt.datetime] = _now) -> None:
        self._runs: dict[tuple[uuid.UUID, uuid.UUID], ExportRun] = {}
        self._clock = clock

    def create(self, run: ExportRun) -> None:
        self._runs[(run.organization_id, run.id)] = dataclasses.replace(
            run, created_at=self._clock()
        )

    def get(self, org: uuid.UUID, run_id: uuid.UUID) -> ExportRun | None:
        return self._runs.get((org, run_id))

    def list_runs(
        self, org: uuid.UUID, *, schedule_id: uuid.UUID | None = None, limit: int = 50
    ) -> list[ExportRun]:
        runs = [
            run
            for (owner, _), run in self._runs.items()
            if owner == org and (schedule_id is None or run.schedule_id == schedule_id)
        ]
        return sorted(runs, key=lambda run: run.created_at or _now(), reverse=True)[:limit]

    def _change(self, org: uuid.UUID, run_id: uuid.UUID, **changes: Any) -> ExportRun:
        run = self._runs.get((org, run_id))
        if run is None:
            raise NotFound(f"Export run {run_id} does not exist.")
        self._runs[(org, run_id)] = changed = dataclasses.replace(run, **changes)
        return changed

    def start(
        self,
        org: uuid.UUID,
        run_id: uuid.UUID,
        *,
        since: dt.datetime | None,
        watermark: dt.datetime | None = None,
    ) -> dt.datetime:
        now = self._clock()
        run = self._change(
            org,
            run_id,
            status="running",
            since=since,
            watermark=watermark or now,
            error=None,
            started_at=now,
            finished_at=None,
        )
        assert run.watermark is not None
        return run.watermark

    def record_progress(self, org: uuid.UUID, run_id: uuid.UUID, manifest: dict[str, Any]) -> None:
        self._change(org, run_id, manifest=manifest)

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
        run = self._runs[(org, run_id)]
        self._change(
            org,
            run_id,
            status=status,
            row_counts=dict(row_counts),
            manifest=manifest if manifest is not None else run.manifest,
            error=error,
            finished_at=self._clock(),
        )

    def last_success_watermark(self, org: uuid.UUID, schedule_id: uuid.UUID) -> dt.datetime | None:
        marks = [
            run.watermark
            for (owner, _), run in self._runs.items()
            if owner == org
            and run.schedule_id == schedule_id
            and run.status == "succeeded"
            and run.watermark is not None
        ]
        return max(marks, default=None)
