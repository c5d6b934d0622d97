"""StepLedger in memory."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from tests.fakes.memory import MemoryData


class FakeStepLedger:
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    def completed_step(
        self, org: uuid.UUID, session_id: uuid.UUID, step: str, item: str = ""
    ) -> dict[str, Any] | None:
        output = self.data.step_runs.get((org, session_id), {}).get((step, item))
        return copy.deepcopy(output)

    def record_step(
        self, org: uuid.UUID, session_id: uuid.UUID, step: str, item: str, output: dict[str, Any]
    ) -> None:
        runs = self.data.step_runs.setdefault((org, session_id), {})
        runs[(step, item)] = copy.deepcopy(output)

    def forget_steps(self, org: uuid.UUID, session_id: uuid.UUID, steps: list[str]) -> int:
        runs = self.data.step_runs.get((org, session_id), {})
        forgotten = [key for key in runs if key[0] in steps]
        for key in forgotten:
            del runs[key]
        return len(forgotten)
