"""Canary for the private hook that runs Lambda tasks in-process in moto's ASL interpreter.

coaching.adapters.local.stepfunctions.engine replaces functions inside moto's Step Functions
parser (a private API). moto is pinned exactly; these tests fail first when an upgrade, or a change
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

from coaching.adapters.local.stepfunctions import Handler, StepFunctionsEngine, function_arn
from coaching.domain.errors import TransientError

pytestmark = pytest.mark.integration

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
MOTO_PIN = re.compile(r"^moto(\[[^\]]*\])?==(?P<version>[^\s;,]+)$")


@pytest.fixture
def recorded_waits() -> list[float]:
    """Retry waits go to a recorder instead of sleeping."""
    return []


def run(
    states: dict[str, Any],
    start_at: str,
    payload: dict,
    handlers: dict[str, Handler] | None = None,
    retry_sleep=time.sleep,
) -> Any:
    """An engine of its own runs a uniquely named machine to the end, then deletes it."""
    engine = StepFunctionsEngine(
        json.dumps({"StartAt": start_at, "States": states}),
        handlers or {},
        name=f"canary-{uuid.uuid4().hex[:12]}",
        retry_sleep=retry_sleep,
    )
    try:
        execution = engine.run("run", payload, timeout_seconds=60)  # a hang guard only
        assert engine.is_bound()
        return execution
    finally:
        engine.delete()


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


def test_a_task_on_a_plain_function_arn_returns_the_handlers_output():
    seen: list[tuple[dict, str]] = []

    def echo(event, context):
        seen.append((event, context.function_name))
        return {"echo": event, "by": context.function_name}

    states = {"Echo": {"Type": "Task", "Resource": function_arn("CanaryEcho"), "End": True}}

    execution = run(states, "Echo", {"hello": "world"}, {"CanaryEcho": echo})

    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert as_json(execution.output) == {"echo": {"hello": "world"}, "by": "CanaryEcho"}
    assert seen == [({"hello": "world"}, "CanaryEcho")]


def test_a_lambda_invoke_task_returns_the_payload():
    echo = {"CanaryEcho": lambda event, context: {"echo": event}}
    states = {
        "Echo": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": function_arn("CanaryEcho"), "Payload.$": "$"},
            "OutputPath": "$.Payload",
            "End": True,
        }
    }
    execution = run(states, "Echo", {"n": 1}, echo)
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert as_json(execution.output) == {"echo": {"n": 1}}


# --- (c) errors -------------------------------------------------------------------------------


def test_an_uncaught_handler_error_fails_the_execution_with_its_type():
    states = {"Call": {"Type": "Task", "Resource": function_arn("CanaryFails"), "End": True}}

    execution = run(states, "Call", {}, {"CanaryFails": raising(ValueError("x"))})

    assert execution.status == "FAILED"
    assert execution.error == "ValueError"
    assert json.loads(execution.cause) == {"errorType": "ValueError", "errorMessage": "x"}


def test_a_catch_on_the_error_type_receives_error_and_cause():
    states = {
        "Call": {
            "Type": "Task",
            "Resource": function_arn("CanaryFails"),
            "Catch": [{"ErrorEquals": ["ValueError"], "ResultPath": "$.error", "Next": "Caught"}],
            "End": True,
        },
        "Caught": {"Type": "Pass", "End": True},
    }

    execution = run(states, "Call", {"kept": True}, {"CanaryFails": raising(ValueError("x"))})

    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    output = as_json(execution.output)
    assert output["kept"] is True
    assert output["error"]["Error"] == "ValueError"
    assert json.loads(output["error"]["Cause"]) == {
        "errorType": "ValueError",
        "errorMessage": "x",
    }


def test_an_unbound_function_name_fails_clearly():
    states = {"Call": {"Type": "Task", "Resource": function_arn("CanaryNobodyBound"), "End": True}}
    execution = run(states, "Call", {})
    assert execution.status == "FAILED"
    assert execution.error == "ResourceNotFoundException"
    assert "CanaryNobodyBound" in json.loads(execution.cause)["errorMessage"]


# --- (d) retry waits --------------------------------------------------------------------------


def test_retry_waits_go_through_the_injected_sleep(recorded_waits):
    attempts: list[int] = []

    def flaky(event, context):
        attempts.append(len(attempts) + 1)
        if len(attempts) < 3:
            raise TransientError("database busy")
        return {"attempts": len(attempts)}

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

    execution = run(states, "Call", {}, {"CanaryFlaky": flaky}, recorded_waits.append)

    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert as_json(execution.output) == {"attempts": 3}
    # Two failures, two waits: IntervalSeconds, then doubled by BackoffRate.
    assert recorded_waits == [1, 2]
