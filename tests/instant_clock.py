"""A clock for code that waits (coaching.ports.clock.WaitClock): its sleep returns at once and
moves its time on by what was asked, so a grace period or a backoff takes no real time and a
test never races one."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


class InstantClock:
    def __init__(self) -> None:
        self._now = 0.0
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float, /) -> None:
        with self._lock:
            self._now += max(seconds, 0.0)
        time.sleep(0)  # let other threads run, as a real sleep would

    def timer(
        self, delay: float, function: Callable[..., Any], args: tuple = ()
    ) -> threading.Timer:
        """As threading.Timer: fires as soon as it starts, moving the time on by its delay."""
        return _InstantTimer(self, delay, function, args)


class _InstantTimer(threading.Timer):
    def __init__(
        self, clock: InstantClock, delay: float, function: Callable[..., Any], args: tuple
    ) -> None:
        super().__init__(0, function, args)
        self._clock = clock
        self._delay = delay

    def run(self) -> None:
        if not self.finished.is_set():  # not cancelled
            self._clock.sleep(self._delay)
        super().run()
