"""The Workflow port locally: the real ASL file, run by moto's Step Functions interpreter.

No boto3 patching: we talk to moto's Step Functions backend in-process, with each Lambda
task bound to the same handler that runs in AWS (see ``lambda_binding``). Finished
executions and their history are mirrored into PostgreSQL so they survive a restart.
"""

from __future__ import annotations

import importlib
import json
import threading
import time
from functools import partial
from pathlib import Path
from typing import Any

from coaching.ports.workflow import ExecutionResult
from coaching.usecases.pipeline_steps import PIPELINE_STEPS
from local_runtime import interpreter_cache, lambda_binding
from local_runtime.asl_interpreter import stepfunctions_parser_backends

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
STATE_MACHINE_NAME = "session-pipeline"
ASL_PATH = Path(__file__).resolve().parents[1] / "statemachines" / "session_pipeline.asl.json"

# Step name (its ASL substitution) -> the function folder whose handler runs it.
PIPELINE_FUNCTIONS = {step.name: step.folder for step in PIPELINE_STEPS}

_create_lock = threading.Lock()
# Threads recording runs as they finish, by run name. Per process, not per LocalWorkflow:
# whichever instance waits for a run must wait for its record too.
_finishers: dict[str, threading.Thread] = {}


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"


def load_definition(path: Path = ASL_PATH) -> str:
    text = path.read_text(encoding="utf-8")
    for step in PIPELINE_STEPS:
        text = text.replace("${" + step.arn_substitution + "}", function_arn(step.name))
    return text


def bind_pipeline_handlers(deps=None) -> None:
    """Each step's Lambda handler, handed ``deps`` (the local runtime's ports)."""
    lambda_binding.install()
    interpreter_cache.install()
    for name, folder in PIPELINE_FUNCTIONS.items():
        module = importlib.import_module(f"functions.{folder}.handler")
        handler = module.lambda_handler
        lambda_binding.register(name, handler if deps is None else partial(handler, deps=deps))


class LocalWorkflow:
    def __init__(self, recorder=None, *, definition: str | None = None, deps=None) -> None:
        bind_pipeline_handlers(deps)
        self._recorder = recorder
        self._definition = definition or load_definition()
        self.state_machine_arn = self._ensure_state_machine(self._definition)

    @property
    def _backend(self):
        # Looked up each time: moto may replace its backends (a reset by `mock_aws`).
        return stepfunctions_parser_backends[ACCOUNT_ID][REGION]

    def _ensure_state_machine(self, definition: str) -> str:
        with _create_lock:
            for machine in self._backend.state_machines:
                if machine.name == STATE_MACHINE_NAME:
                    if machine.definition != definition:
                        self._backend.update_state_machine(machine.arn, definition=definition)
                    return machine.arn
            machine = self._backend.create_state_machine(
                name=STATE_MACHINE_NAME,
                definition=definition,
                roleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/local-session-pipeline",
                sm_type="STANDARD",
            )
            return machine.arn

    def execution_arn(self, name: str) -> str:
        return f"arn:aws:states:{REGION}:{ACCOUNT_ID}:execution:{STATE_MACHINE_NAME}:{name}"

    def start(self, name: str, payload: dict[str, Any]) -> str:
        # Cheap, and it survives a reset of moto's in-memory backends under our feet.
        self.state_machine_arn = self._ensure_state_machine(self._definition)
        execution = self._backend.start_execution(
            self.state_machine_arn, name=name, execution_input=json.dumps(payload)
        )
        if self._recorder is not None:
            # Recorded as running now, so a crash mid-run leaves a trace to abort and redrive.
            self._recorder.record_start(name, STATE_MACHINE_NAME, payload, execution.start_date)
            finisher = threading.Thread(
                target=self._record_when_done,
                args=(execution,),
                name=f"record-{name}",
                daemon=True,
            )
            with _create_lock:
                _finishers[name] = finisher
            finisher.start()
        return execution.exec_arn

    def _record_when_done(self, execution) -> None:
        while execution.status == "RUNNING":
            time.sleep(0.002)
        self._recorder.record(execution, self.history(execution.name))

    def wait(self, name: str, timeout_seconds: float = 600) -> ExecutionResult:
        execution = self._backend.describe_execution(self.execution_arn(name))
        deadline = time.monotonic() + timeout_seconds
        while execution.status == "RUNNING":
            if time.monotonic() > deadline:
                return ExecutionResult(name=name, status="RUNNING")
            time.sleep(0.002)
        with _create_lock:
            finisher = _finishers.pop(name, None)
        if finisher is not None:
            finisher.join(timeout=max(deadline - time.monotonic(), 1.0))
        return ExecutionResult(
            name=name,
            status=execution.status,
            output=execution.output if isinstance(execution.output, dict) else None,
            error=execution.error,
            cause=execution.cause,
        )

    def history(self, name: str) -> list[dict[str, Any]]:
        output = self._backend.get_execution_history(self.execution_arn(name))
        return list(output["events"])
