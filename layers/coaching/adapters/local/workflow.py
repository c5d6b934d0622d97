"""The Workflow port locally: the real ASL file, run by moto's Step Functions interpreter.

The engine (``stepfunctions.StepFunctionsEngine``) runs the state machine with each Lambda
task bound to the same handler that runs in AWS; the composition root hands it those
handlers. Each run is recorded as running when it starts, then mirrored with its history
into the execution records (PostgreSQL) when it ends, so it survives a restart.
"""

from __future__ import annotations

from typing import Any, Protocol

from coaching.adapters.local.stepfunctions import StepFunctionsEngine
from coaching.ports.workflow import ExecutionResult


class RunRecorder(Protocol):
    """Where runs are kept (adapters/postgres/execution_records.py)."""

    def record_start(
        self, name: str, state_machine: str, payload: dict[str, Any], started_at: Any
    ) -> None: ...

    def record(self, execution: Any, history: list[dict[str, Any]]) -> None: ...


class LocalWorkflow:
    def __init__(self, engine: StepFunctionsEngine, recorder: RunRecorder | None = None) -> None:
        self.engine = engine
        self._recorder = recorder

    @property
    def state_machine_arn(self) -> str:
        return self.engine.state_machine_arn

    def execution_arn(self, name: str) -> str:
        return self.engine.execution_arn(name)

    def start(self, name: str, payload: dict[str, Any]) -> str:
        if self._recorder is None:
            return str(self.engine.start(name, payload).exec_arn)
        execution = self.engine.start(name, payload, on_finish=self._record)
        # Recorded as running now, so a crash mid-run leaves a trace to abort and redrive.
        # (Should the run's end be recorded first, this finds its row and leaves it be.)
        self._recorder.record_start(name, self.engine.name, payload, execution.start_date)
        return str(execution.exec_arn)

    def _record(self, execution: Any) -> None:
        assert self._recorder is not None
        self._recorder.record(execution, self.engine.history(execution.name))

    def wait(self, name: str, timeout_seconds: float = 600) -> ExecutionResult:
        execution = self.engine.wait(name, timeout_seconds)
        return ExecutionResult(
            name=name,
            status=execution.status,
            output=execution.output if isinstance(execution.output, dict) else None,
            error=execution.error,
            cause=execution.cause,
        )

    def history(self, name: str) -> list[dict[str, Any]]:
        return self.engine.history(name)
