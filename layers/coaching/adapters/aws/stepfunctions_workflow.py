"""Workflow port on AWS Step Functions."""

from __future__ import annotations

import json
import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from coaching.adapters.aws.errors import translate
from coaching.ports.workflow import ExecutionResult


class StepFunctionsWorkflow:
    def __init__(self, client, state_machine_arn: str, *, poll_seconds: float = 1.0) -> None:
        self._sfn = client
        self._arn = state_machine_arn
        self._poll = poll_seconds

    def execution_arn(self, name: str) -> str:
        # arn:aws:states:region:account:stateMachine:Name -> ...:execution:Name:run
        prefix, machine = self._arn.rsplit(":stateMachine:", 1)
        return f"{prefix}:execution:{machine}:{name}"

    def start(self, name: str, payload: dict[str, Any]) -> str:
        try:
            response = self._sfn.start_execution(
                stateMachineArn=self._arn, name=name, input=json.dumps(payload)
            )
        except ClientError as error:
            # A redelivered event: the run with this name is already there, which is the point
            # of deterministic names. Anything else is a real failure.
            if error.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
                return self.execution_arn(name)
            raise translate(error, "Starting the session pipeline") from error
        except BotoCoreError as error:
            raise translate(error, "Starting the session pipeline") from error
        return response["executionArn"]

    def wait(self, name: str, timeout_seconds: float = 600) -> ExecutionResult:
        deadline = time.monotonic() + timeout_seconds
        while True:
            try:
                described = self._sfn.describe_execution(executionArn=self.execution_arn(name))
            except (ClientError, BotoCoreError) as error:
                raise translate(error, f"Reading execution {name}") from error
            status = described["status"]
            if status != "RUNNING" or time.monotonic() > deadline:
                # Any JSON value is a valid execution output; the port carries objects only
                # (as the local runtime does), so a list or scalar output reads as None.
                output = json.loads(described["output"]) if described.get("output") else None
                return ExecutionResult(
                    name=name,
                    status=status,
                    output=output if isinstance(output, dict) else None,
                    error=described.get("error"),
                    cause=described.get("cause"),
                )
            time.sleep(self._poll)
