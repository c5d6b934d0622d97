from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel

ExecutionStatus = Literal[
    "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"
]


class ExecutionResult(BaseModel):
    name: str
    status: ExecutionStatus
    output: dict[str, Any] | None = None
    error: str | None = None
    cause: str | None = None


class Workflow(Protocol):
    """The session pipeline state machine (Step Functions in AWS, moto's interpreter locally)."""

    def start(self, name: str, payload: dict[str, Any]) -> str:
        """Starts an execution with a caller-chosen, deterministic name; returns its id."""
        ...

    def wait(self, name: str, timeout_seconds: float = 600) -> ExecutionResult: ...
