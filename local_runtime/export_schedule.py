"""`coach serve` fires due export schedules each minute and runs queued exports nobody is
running (AWS: EventBridge Scheduler invokes the export function). The clock is injected, so
tests decide what "now" is without waiting."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable

from coaching.usecases.export_jobs import ExportJobPorts, fire_due, run_job
from local_runtime.periodic import Periodic

log = logging.getLogger("coach.exports")
MINUTE_SECONDS = 60.0
QUEUED_PER_ROUND = 20


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ExportSchedule(Periodic):
    def __init__(
        self,
        ports: ExportJobPorts,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        interval_seconds: float = MINUTE_SECONDS,
    ) -> None:
        super().__init__("export-schedule", interval_seconds)
        self._ports = ports
        self._clock = clock

    def run_once(self) -> list[uuid.UUID]:
        """Queues and starts every due schedule's run; then runs, here, queued runs left
        without a thread (a server stopped before it ran them). The runs it started."""
        started: list[uuid.UUID] = []
        try:
            started = fire_due(self._ports, self._clock())
            for run_id in self._ports.queue.queued(QUEUED_PER_ROUND):
                run_job(self._ports, run_id)  # a claim: never one another thread runs
        except Exception:  # noqa: BLE001 - the server keeps serving; the next tick tries again
            log.exception("scheduled exports failed")
        return started
