"""Support staff's view of pipeline runs (Step Functions in AWS, PostgreSQL records locally)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from pydantic import BaseModel

from coaching.ports.workflow import ExecutionStatus


class ExecutionSummary(BaseModel):
    name: str
    status: ExecutionStatus
    session_id: str | None = None
    started_at: dt.datetime
    stopped_at: dt.datetime | None = None
    error: str | None = None
    cause: str | None = None
    # The run this one redrives or replays, when it does.
    redrive_of: str | None = None
    replay_of: str | None = None
    # For people (filled in by the use case, from the session and the run's history): which
    # file, where it failed and why, and whether a redrive can help (not for a bad file).
    file_name: str | None = None
    failed_step: str | None = None
    error_type: str | None = None
    reason: str | None = None
    redrive_helps: bool | None = None
    # A failed run's newest later run of the same first run (a redrive or replay, by anyone),
    # and how it stands: whether the failure still needs someone (None: no later run).
    later_run: str | None = None
    later_run_status: ExecutionStatus | None = None


class StateRun(BaseModel):
    """One state of a run, folded from its history events."""

    name: str
    status: str  # "succeeded" | "failed" | "running" | "caught"
    entered_at: dt.datetime | None = None
    exited_at: dt.datetime | None = None
    input: Any = None
    output: Any = None
    error: str | None = None
    cause: str | None = None


class ExecutionDetail(ExecutionSummary):
    states: list[StateRun] = []


class ExecutionSupport(Protocol):
    def list(
        self,
        status: ExecutionStatus | None = None,
        since: dt.datetime | None = None,
        limit: int = 100,
    ) -> list[ExecutionSummary]: ...

    def show(self, name: str) -> ExecutionDetail: ...

    def redrive(self, name: str) -> ExecutionSummary:
        """Resumes a failed run at its failed step, keeping the earlier steps' results."""
        ...

    def replay(self, name: str) -> ExecutionSummary:
        """A new run with the same input, linked to the original."""
        ...
