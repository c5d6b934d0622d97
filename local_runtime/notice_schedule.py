"""`coach serve` sends the coaches' held notices (digests, the end of quiet hours) each minute
(AWS: an EventBridge rule runs functions/send_coach_notices). The clock is injected, so tests
decide what "now" is without waiting."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from coaching.ports.coach_notices import NoticePorts
from coaching.usecases.notice_digest import send_held_notices
from local_runtime.periodic import Periodic
from local_runtime.send_schedule import MINUTE_SECONDS, utc_now

log = logging.getLogger("coach.notices")


class NoticeSchedule(Periodic):
    def __init__(
        self,
        ports: NoticePorts,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        interval_seconds: float = MINUTE_SECONDS,
    ) -> None:
        super().__init__("notice-schedule", interval_seconds)
        self._ports = ports
        self._clock = clock

    def run_once(self) -> int:
        """Sends what is due now; how many emails went."""
        try:
            return send_held_notices(self._ports, self._clock())
        except Exception:  # noqa: BLE001 - the server keeps serving; the next tick tries again
            log.exception("held coach notices could not be sent")
            return 0
