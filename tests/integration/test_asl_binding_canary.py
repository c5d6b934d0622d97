"""Canary for the private hook that runs Lambda tasks in-process in moto's ASL interpreter.

local_runtime.lambda_binding replaces functions inside moto's Step Functions parser (a
private API). moto is pinned exactly; these tests fail first when an upgrade, or a change
of ours, breaks the binding: output passing, error reporting (Catch, Fail) and Retry waits.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import time
import tomllib
import uuid
from pathlib import Path
from typing import Any

import pytest
from moto.stepfunctions.parser.models import stepfunctions_parser_backends

from coaching.domain.errors import TransientError
from local_runtime import lambda_binding
from local_runtime.workflow import ACCOUNT_ID, REGION, function_arn

pytestmark = pytest.mark.integration

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
MOTO_PIN = re.compile(r"^moto(\[[^\]]*\])?==(?P<version>[^\s;,]+)$")


@pytest.fixture
def backend():
    lambda_binding.install()
    return stepfunctions_parser_backends[ACCOUNT_ID][REGION]


@pytest.fixture
def recorded_waits():
    """Retry waits go to a recorder instead of sleeping; the previous sleep comes back after."""
    waits: list[float] = []
    previous = lambda_binding._retry_sleep[0]
    lambda_binding.set_retry_sleep(waits.append)
    yield waits
    lambda_binding.set_retry_sleep(previous)


def run(backend, states: dict[str, Any], start_at: str, payload: dict) -> Any:
    """Creates a uniquely named machine, runs it to the end, deletes the machine."""
    name = f"canary-{uuid.uuid4().hex[:12]}"
    machine = backend.create_state_machine(
        name=name,
        definition=json.dumps({"StartAt": start_at, "States": states}),
        roleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/canary",
        sm_type="STANDARD",
    )
    try:
        execution = backend.start_execution(
            machine.arn, name="run", execution_input=json.dumps(payload)
        )
        deadline = time.monotonic() + 60  # a hang guard only, never an assertion
        while execution.status == "RUNNING" and time.monotonic() < deadline:
            time.sleep(0.002)
        return execution
    finally:
        backend.delete_state_machine(machine.arn)


def as_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def raising(error: Exception):
    def handler(event, context):
        raise error

    return handler


# --- (a) the pin ------------------------------------------------------------------------------


def test_installed_moto_is_the_exact_version_pinned_in_pyproject():
    dependencies = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"]
    pins = [m["version"] for d in dependencies if (m := MOTO_PIN.match(d.replace(" ", "")))]
    assert pins == ["5.2.5"], f"moto must be pinned exactly once with ==, found {dependencies}"
    assert importlib.metadata.version("moto") == pins[0] == "5.2.5"


# --- (b) output -------------------------------------------------------------------------------


def test_a_task_on_a_plain_function_arn_returns_the_handlers_output(backend):
    seen: list[tuple[dict, str]] = []

    def echo(event, context):
        seen.append((event, context.function_name))
        return {"echo": event, "by": context.function_name}

    lambda_binding.register("CanaryEcho", echo)
    states = {"Echo": {"Type": "Task", "Resource": function_arn("CanaryEcho"), "End": True}}

    execution = run(backend, states, "Echo", {"hello": "world"})

    assert lambda_binding.is_installed()
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert as_json(execution.output) == {"echo": {"hello": "world"}, "by": "CanaryEcho"}
    assert seen == [({"hello": "world"}, "CanaryEcho")]


def test_a_lambda_invoke_task_returns_the_payload(backend):
    lambda_binding.register("CanaryEcho", lambda event, context: {"echo": event})
    states = {
        "Echo": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": function_arn("CanaryEcho"), "Payload.$": "$"},
            "OutputPath": "$.Payload",
            "End": True,
        }
    }
    execution = run(backend, states, "Echo", {"n": 1})
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert as_json(execution.output) == {"echo": {"n": 1}}


# --- (c) errors -------------------------------------------------------------------------------


def test_an_uncaught_handler_error_fails_the_execution_with_its_type(backend):
    lambda_binding.register("CanaryFails", raising(ValueError("x")))
    states = {"Call": {"Type": "Task", "Resource": function_arn("CanaryFails"), "End": True}}

    execution = run(backend, states, "Call", {})

    assert execution.status == "FAILED"
    assert execution.error == "ValueError"
    assert json.loads(execution.cause) == {"errorType": "ValueError", "errorMessage": "x"}


def test_a_catch_on_the_error_type_receives_error_and_cause(backend):
    lambda_binding.register("CanaryFails", raising(ValueError("x")))
    states = {
        "Call": {
            "Type": "Task",
            "Resource": function_arn("CanaryFails"),
            "Catch": [{"ErrorEquals": ["ValueError"], "ResultPath": "$.error", "Next": "Caught"}],
            "End": True,
        },
        "Caught": {"Type": "Pass", "End": True},
    }

    execution = run(backend, states, "Call", {"kept": True})

    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    output = as_json(execution.output)
    assert output["kept"] is True
    assert output["error"]["Error"] == "ValueError"
    assert json.loads(output["error"]["Cause"]) == {
        "errorType": "ValueError",
        "errorMessage": "x",
    }


def test_an_unbound_function_name_fails_clearly(backend):
    states = {"Call": {"Type": "Task", "Resource": function_arn("CanaryNobodyBound"), "End": True}}
    execution = run(backend, states, "Call", {})
    assert execution.status == "FAILED"
    assert execution.error == "ResourceNotFoundException"
    assert "CanaryNobodyBound" in json.loads(execution.cause)["errorMessage"]


# --- (d) retry waits --------------------------------------------------------------------------


def test_retry_waits_go_through_the_injected_sleep(backend, recorded_waits):
    attempts: list[int] = []

    def flaky(event, context):
        attempts.append(len(attempts) + 1)
        if len(attempts) < 3:
            raise TransientError("database busy")
        return {"attempts": len(attempts)}

    lambda_binding.register("CanaryFlaky", flaky)
    states = {
        "Call": {
            "Type": "Task",
            "Resource": function_arn("CanaryFlaky"),
            "Retry": [
                {
                    "ErrorEquals": ["TransientError"],
                    "IntervalSeconds": 1,
                    "MaxAttempts": 3,
                    "BackoffRate": 2.0,
                }
            ],
            "End": True,
        }
    }

    execution = run(backend, states, "Call", {})

    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert as_json(execution.output) == {"attempts": 3}
    # Two failures, two waits: IntervalSeconds, then doubled by BackoffRate.
    assert recorded_waits == [1, 2]
