"""Canary for local_runtime.interpreter_cache: moto parses a definition and each JSONPath
once, and runs sharing them still each get their own results (a Map's items included)."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from moto.stepfunctions.parser.models import stepfunctions_parser_backends

from local_runtime import interpreter_cache, lambda_binding
from local_runtime.workflow import ACCOUNT_ID, REGION, bind_pipeline_handlers, function_arn

pytestmark = pytest.mark.integration


@pytest.fixture
def backend(platform):
    bind_pipeline_handlers(platform.deps)  # as the platform binds them: its own ports
    return stepfunctions_parser_backends[ACCOUNT_ID][REGION]


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """Definitions the real ASL parser was given (the cache forgets what it kept first)."""
    seen: list[str] = []
    real = interpreter_cache._parse_definition

    def counting(definition: str):
        seen.append(definition)
        return real(definition)

    monkeypatch.setattr(interpreter_cache, "_parse_definition", counting)
    interpreter_cache.parse_definition.cache_clear()
    return seen


def run_all(backend, definition: dict[str, Any], payloads: list[dict]) -> list[Any]:
    machine = backend.create_state_machine(
        name=f"cache-canary-{uuid.uuid4().hex[:12]}",
        definition=json.dumps(definition),
        roleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/canary",
        sm_type="STANDARD",
    )
    try:
        runs = [
            backend.start_execution(machine.arn, name=f"run-{n}", execution_input=json.dumps(p))
            for n, p in enumerate(payloads)
        ]
        deadline = time.monotonic() + 60  # a hang guard only, never an assertion
        while any(r.status == "RUNNING" for r in runs) and time.monotonic() < deadline:
            time.sleep(0.002)
        return runs
    finally:
        backend.delete_state_machine(machine.arn)


def test_runs_of_one_definition_parse_it_once_and_keep_their_own_results(backend, parses):
    # Given a machine whose Map sends each item's fields to a task
    lambda_binding.register("CacheCanary", lambda event, context: {"seen": event})
    definition = {
        "Comment": f"canary {uuid.uuid4()}",
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemSelector": {"run.$": "$.run", "item.$": "$$.Map.Item.Value"},
                "MaxConcurrency": 4,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Call",
                    "States": {
                        "Call": {
                            "Type": "Task",
                            "Resource": function_arn("CacheCanary"),
                            "End": True,
                        }
                    },
                },
                "ResultPath": "$.results",
                "End": True,
            }
        },
    }
    # When three runs with different inputs share it
    payloads = [{"run": n, "items": [f"{n}-a", f"{n}-b", f"{n}-c"]} for n in range(3)]
    runs = run_all(backend, definition, payloads)
    # Then the definition was parsed once, and each run has exactly its own items' results
    assert interpreter_cache.is_installed()
    assert len(parses) == 1
    for run, payload in zip(runs, payloads, strict=True):
        assert run.status == "SUCCEEDED", (run.error, run.cause)
        output = json.loads(run.output) if isinstance(run.output, str) else run.output
        assert output["results"] == [
            {"seen": {"run": payload["run"], "item": item}} for item in payload["items"]
        ]


def test_a_jsonpath_is_compiled_once_and_answers_each_input():
    first = interpreter_cache.parse_path("$.session_id")
    assert interpreter_cache.parse_path("$.session_id") is first
    assert [m.value for m in first.find({"session_id": "a"})] == ["a"]
    assert [m.value for m in first.find({"session_id": "b"})] == ["b"]


def test_a_definition_that_does_not_parse_is_refused_every_time(parses):
    for _ in range(2):
        with pytest.raises(Exception, match="ASLParserException"):
            interpreter_cache.parse_definition("{ not json")
    assert len(parses) == 2
