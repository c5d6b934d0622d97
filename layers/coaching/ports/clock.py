"""Time as code that waits reads it: the ``time`` module is one; tests pass one whose sleep
returns at once, so a grace period or a poll takes no real time and no test races one."""

from __future__ import annotations

from typing import Protocol


class WaitClock(Protocol):
    def monotonic(self) -> float: ...

    def sleep(self, seconds: float, /) -> None: ...
