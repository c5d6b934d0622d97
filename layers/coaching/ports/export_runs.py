"""Export runs: each on-demand or scheduled export, its status, rows and manifest, and the
watermark an incremental schedule continues from (table export_runs, migration 0024).

A run is queued (the API accepted it), running, then succeeded or failed. Only a succeeded
run's watermark counts: a failed run leaves the next one everything since the last success.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

RunStatus = Literal["queued", "running", "succeeded", "failed"]
RUN_STATUSES: tuple[RunStatus, ...] = ("queued", "running", "succeeded", "failed")


@dataclass(frozen=True)
class ExportRun:
    id: uuid.UUID
    organization_id: uuid.UUID
    actor: str  # "user:<id>" or "system:<job>": never an email
    format: str
    status: RunStatus
    # The options as asked: coach_ids, mapping, include_sensitive, bom, destination, prefix.
    options: dict[str, Any] = field(default_factory=dict)
    schedule_id: uuid.UUID | None = None
    since: dt.datetime | None = None
    # What this run read up to: the next incremental run of its schedule starts here, once
    # this one succeeded.
    watermark: dt.datetime | None = None
    row_counts: dict[str, int] = field(default_factory=dict)
    # The files written so far (a failed run's too: a resumed run skips them when their
    # checksum still matches), then the whole manifest.
    manifest: dict[str, Any] | None = None
    error: str | None = None
    created_at: dt.datetime | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None


class ExportRuns(Protocol):
    def create(self, run: ExportRun) -> None:
        """Records a new run (queued or running)."""
        ...

    def get(self, org: uuid.UUID, run_id: uuid.UUID) -> ExportRun | None: ...

    def list_runs(
        self, org: uuid.UUID, *, schedule_id: uuid.UUID | None = None, limit: int = 50
    ) -> list[ExportRun]:
        """Newest first."""
        ...

    def start(
        self,
        org: uuid.UUID,
        run_id: uuid.UUID,
        *,
        since: dt.datetime | None,
        watermark: dt.datetime | None = None,
    ) -> dt.datetime:
        """running, from now, reading rows changed since ``since``; answers the run's
        watermark: ``watermark`` (a resumed run keeps its first attempt's), else the
        database's clock now (the clock ``updated_at`` is written with)."""
        ...

    def record_progress(self, org: uuid.UUID, run_id: uuid.UUID, manifest: dict[str, Any]) -> None:
        """The files written so far (after each entity)."""
        ...

    def finish(
        self,
        org: uuid.UUID,
        run_id: uuid.UUID,
        *,
        status: Literal["succeeded", "failed"],
        row_counts: dict[str, int],
        manifest: dict[str, Any] | None,
        error: str | None = None,
    ) -> None: ...

    def last_success_watermark(self, org: uuid.UUID, schedule_id: uuid.UUID) -> dt.datetime | None:
        """The watermark of the schedule's latest succeeded run; None before the first."""
        ...
