"""`coach serve` runs the retention purge once at start, then daily (AWS: EventBridge runs
functions/purge_expired on a schedule). ``after_purge`` runs right after each purge: the drop
folder's sweep of its copies of the sessions just deleted."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from coaching.usecases.dependencies import Dependencies
from coaching.usecases.retention import purge_expired
from local_runtime.drop_copies import run_sweep
from local_runtime.periodic import Periodic

log = logging.getLogger("coach.retention")
DAY_SECONDS = 24 * 60 * 60


class RetentionSchedule(Periodic):
    def __init__(
        self,
        deps: Dependencies,
        interval_seconds: float = DAY_SECONDS,
        *,
        after_purge: Callable[[], object] | None = None,
    ) -> None:
        super().__init__("retention", interval_seconds)
        self._deps = deps
        self._after_purge = after_purge

    def run_once(self) -> None:
        try:
            self._purge()
        finally:
            if self._after_purge is not None:
                run_sweep(self._after_purge)  # even after a failed run: some may have gone

    def _purge(self) -> None:
        try:
            report = purge_expired(self._deps, dt.datetime.now(dt.UTC), audit=self._deps.audit)
        except Exception:  # noqa: BLE001 - the server keeps serving; tomorrow's run tries again
            log.exception("retention purge failed")
            return
        if report.sessions:
            log.info(
                "retention: %d session(s) deleted, %d left for the next run",
                report.deleted,
                report.failed,
            )
