"""`coach serve` fires scheduled follow-up sends each minute (AWS: EventBridge Scheduler, a
follow-up). The clock is injected, so tests decide what "now" is without waiting."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from coaching.usecases.sending import SendingPorts, send_due
from local_runtime.periodic import Periodic

log = logging.getLogger("coach.sending")
MINUTE_SECONDS = 60.0


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SendSchedule(Periodic):
    def __init__(
        self,
        ports: SendingPorts,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        interval_seconds: float = MINUTE_SECONDS,
    ) -> None:
        super().__init__("send-schedule", interval_seconds)
        self._ports = ports
        self._clock = clock

    def run_once(self) -> int:
        """Sends what is due now; how many were tried."""
        try:
            return send_due(self._ports, self._clock())
        except Exception:  # noqa: BLE001 - the server keeps serving; the next tick tries again
            log.exception("scheduled sends failed")
            return 0
