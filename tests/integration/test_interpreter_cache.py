"""Canary for the Step Functions engine's interpreter_cache: moto parses a definition and
each JSONPath once, and runs sharing them still each get their own results (a Map's items
included)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from coaching.adapters.local.stepfunctions import (
    StepFunctionsEngine,
    function_arn,
    interpreter_cache,
)

pytestmark = pytest.mark.integration


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


def run_all(definition: dict[str, Any], payloads: list[dict], handlers: dict) -> list[Any]:
    engine = StepFunctionsEngine(
        json.dumps(definition), handlers, name=f"cache-canary-{uuid.uuid4().hex[:12]}"
    )
    try:
        for n, payload in enumerate(payloads):
            engine.start(f"run-{n}", payload)
        # A hang guard only, never an assertion.
        return [engine.wait(f"run-{n}", timeout_seconds=60) for n in range(len(payloads))]
    finally:
        engine.delete()


def test_runs_of_one_definition_parse_it_once_and_keep_their_own_results(parses):
    # Given a machine whose Map sends each item's fields to a task
    handlers = {"CacheCanary": lambda event, context: {"seen": event}}
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
    runs = run_all(definition, payloads, handlers)
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
