"""`coach serve`'s ExportJobStarter: the queued run runs on a thread of its own in this
process, so the API answers 202 at once. The queue's claim makes sure that only one thread
(of any worker, or the background's sweep of what a stopped server left) runs it."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable

log = logging.getLogger("coach.exports")


class ThreadedExportJobs:
    def __init__(self, run_job: Callable[[uuid.UUID], object]) -> None:
        self._run_job = run_job

    def start(self, run_id: uuid.UUID) -> None:
        threading.Thread(
            target=self._run, args=(run_id,), name=f"export-{run_id}", daemon=True
        ).start()

    def _run(self, run_id: uuid.UUID) -> None:
        try:
            self._run_job(run_id)
        except Exception:  # noqa: BLE001 - a thread's error would vanish: log it
            log.exception("export run %s could not be run", run_id)
