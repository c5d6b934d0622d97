"""`coach serve` fires scheduled follow-up sends each minute (AWS: EventBridge Scheduler, a
follow-up). The clock is injected, so tests decide what "now" is without waiting."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

from coaching.usecases.sending import SendingPorts, send_due

log = logging.getLogger("coach.sending")
MINUTE_SECONDS = 60.0


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SendSchedule:
    def __init__(
        self,
        ports: SendingPorts,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        interval_seconds: float = MINUTE_SECONDS,
    ) -> None:
        self._ports = ports
        self._clock = clock
        self._interval = interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="send-schedule", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self._interval)

    def run_once(self) -> int:
        """Sends what is due now; how many were tried."""
        try:
            return send_due(self._ports, self._clock())
        except Exception:  # noqa: BLE001 - the server keeps serving; the next tick tries again
            log.exception("scheduled sends failed")
            return 0
