"""Which pipeline steps finished for a session, and what they returned (idempotent steps)."""

from __future__ import annotations

import uuid
from typing import Any, Protocol


class StepLedger(Protocol):
    def completed_step(
        self, org: uuid.UUID, session_id: uuid.UUID, step: str, item: str = ""
    ) -> dict[str, Any] | None:
        """The recorded output of a step that already finished for this session, if any."""
        ...

    def record_step(
        self, org: uuid.UUID, session_id: uuid.UUID, step: str, item: str, output: dict[str, Any]
    ) -> None:
        """Records (or replaces) the step's output for (session, step, item)."""
        ...

    def forget_steps(self, org: uuid.UUID, session_id: uuid.UUID, steps: list[str]) -> int:
        """Forgets every item of these steps, so they run again; returns how many."""
        ...
