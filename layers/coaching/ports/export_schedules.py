"""Export schedules (table export_schedules, migration 0024): a cron, a format and where the
files go. Firing one is compare-and-set on its next run time, so two schedulers (or two
ticks) never start the same occurrence twice.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class ExportSchedule:
    id: uuid.UUID
    organization_id: uuid.UUID
    created_by: str  # the actor ("user:<id>", "api-key:<id>"): whose view of the data
    cron: str
    timezone: str
    format: str
    destination: str = "download"
    mapping_name: str | None = None
    include_sensitive: bool = False
    enabled: bool = True
    next_run_at: dt.datetime | None = None
    # What the creator could see, kept so a run needs no sign-in: role and coach id.
    options: dict[str, Any] = field(default_factory=dict)
    created_at: dt.datetime | None = None


class ExportSchedules(Protocol):
    def create(self, schedule: ExportSchedule, *, most_per_organization: int) -> ExportSchedule:
        """Records it; raises Conflict when the organization has ``most_per_organization``."""
        ...

    def get(self, org: uuid.UUID, schedule_id: uuid.UUID) -> ExportSchedule | None: ...

    def list_schedules(self, org: uuid.UUID, created_by: str | None) -> list[ExportSchedule]:
        """Oldest first: ``created_by``'s, or the organization's (None)."""
        ...

    def delete(self, org: uuid.UUID, schedule_id: uuid.UUID) -> bool: ...

    def set_enabled(
        self,
        org: uuid.UUID,
        schedule_id: uuid.UUID,
        *,
        enabled: bool,
        next_run_at: dt.datetime | None,
    ) -> ExportSchedule | None:
        """Pauses (``enabled`` False) or resumes it, with its next run; None when it is gone."""
        ...

    def due(self, now: dt.datetime, limit: int) -> list[ExportSchedule]:
        """Enabled schedules of every organization whose next run is at or before ``now``."""
        ...

    def advance(self, schedule: ExportSchedule, next_run_at: dt.datetime) -> bool:
        """Moves the schedule's next run from ``schedule.next_run_at`` to ``next_run_at``;
        False when it had moved already (another tick fired this occurrence)."""
        ...


class ExportScheduleTriggers(Protocol):
    """What fires a schedule at its times, where a clock outside the database does (AWS:
    one EventBridge Scheduler schedule each, invoking the export function)."""

    def put(
        self, schedule_id: uuid.UUID, *, cron: str, timezone: str, enabled: bool = True
    ) -> None:
        """Creates the trigger, or replaces it."""
        ...

    def delete(self, schedule_id: uuid.UUID) -> bool:
        """False when there was none."""
        ...
