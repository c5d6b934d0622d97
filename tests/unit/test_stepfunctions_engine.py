"""The local Step Functions engine is an object built from (definition, handlers): it runs ASL
with the handlers it was given, and nothing else of the process (no registry) decides which
handler answers a task."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import pytest

from coaching.adapters.local.stepfunctions import StepFunctionsEngine, function_arn
from coaching.domain.pipeline import PIPELINE, fill_function_arns, undone_steps
from coaching.domain.reruns import rerun_name, rerun_root


def two_steps() -> str:
    """A tiny machine: a Task, then a Map of the same function over the first one's items."""
    return json.dumps(
        {
            "StartAt": "List",
            "States": {
                "List": {"Type": "Task", "Resource": function_arn("Step"), "Next": "Each"},
                "Each": {
                    "Type": "Map",
                    "ItemsPath": "$.items",
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "INLINE"},
                        "StartAt": "One",
                        "States": {
                            "One": {"Type": "Task", "Resource": function_arn("Step"), "End": True}
                        },
                    },
                    "End": True,
                },
            },
        }
    )


def output_of(execution: Any) -> Any:
    """moto keeps a run's output as parsed JSON or as its text, depending on the path."""
    return (
        json.loads(execution.output)
        if isinstance(execution.output, str)
        else execution.output
        if isinstance(execution.output, str)
        else execution.output
    )


def engine_with(handlers: dict[str, Any], **options: Any) -> StepFunctionsEngine:
    return StepFunctionsEngine(two_steps(), handlers, name=f"unit-{uuid.uuid4().hex}", **options)


def lister(tag: str):
    def step(event: Any, context: Any) -> Any:
        if isinstance(event, dict) and "items" not in event:
            return {"items": [f"{tag}-1", f"{tag}-2"]}
        return f"{tag}:{event}"

    return step


def test_an_engine_runs_its_definition_with_the_handlers_it_was_given():
    # Given an engine built from a definition and one handler
    engine = engine_with({"Step": lister("a")})
    try:
        # When it runs
        execution = engine.run("only", {"n": 1}, timeout_seconds=60)
        # Then each task was answered by that handler, through the Map too
        assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
        assert output_of(execution) == ["a:a-1", "a:a-2"]
        assert [e["type"] for e in engine.history("only")][-1] == "ExecutionSucceeded"
    finally:
        engine.delete()


def test_two_engines_keep_their_own_handlers_for_the_same_function_name():
    # Given two engines binding different handlers to the same function name
    first, second = engine_with({"Step": lister("first")}), engine_with({"Step": lister("2nd")})
    try:
        # When each runs (the last built is bound now; the first takes the interpreter back)
        one = first.run("run", {}, timeout_seconds=60)
        two = second.run("run", {}, timeout_seconds=60)
        # Then each run saw its own engine's handler
        assert output_of(one) == ["first:first-1", "first:first-2"]
        assert output_of(two) == ["2nd:2nd-1", "2nd:2nd-2"]
        assert second.is_bound() and not first.is_bound()
    finally:
        first.delete()
        second.delete()


def test_a_replaced_handler_answers_the_next_run_and_the_old_one_is_handed_back():
    original = lister("old")
    engine = engine_with({"Step": original})
    try:
        assert engine.set_handler("Step", lister("new")) is original
        assert output_of(engine.run("run", {}, timeout_seconds=60)) == [
            "new:new-1",
            "new:new-2",
        ]
    finally:
        engine.delete()


def test_a_task_calling_an_alias_or_version_runs_the_functions_handler():
    # Given an engine with one handler for the function "Step"
    engine = engine_with({"Step": lambda event, context: {"ran": context.function_name}})
    try:
        # When Lambda tasks name it plainly, by its ARN, or qualified by an alias or version
        for reference in (
            "Step",
            "Step:live",
            function_arn("Step"),
            f"{function_arn('Step')}:live",
            f"{function_arn('Step')}:7",
        ):
            # Then each reaches that handler, never a function called "live" or "7"
            answer = engine.invoke(reference, b"{}")
            assert answer == {"StatusCode": 200, "Payload": {"ran": "Step"}}, reference
    finally:
        engine.delete()


def test_wait_returns_once_the_runs_on_finish_has_returned():
    # Given a run whose on_finish is held until the test lets it go
    release, finished = threading.Event(), []
    engine = engine_with({"Step": lister("a")})

    def on_finish(execution: Any) -> None:
        release.wait(timeout=60)
        finished.append(execution.status)

    try:
        engine.start("held", {}, on_finish=on_finish)
        waiter = threading.Thread(target=lambda: finished.append(engine.wait("held").status))
        waiter.start()
        # When it is released
        release.set()
        waiter.join(timeout=60)
        # Then wait() came back after on_finish, not before
        assert finished == ["SUCCEEDED", "SUCCEEDED"]
    finally:
        engine.delete()


def test_retry_waits_go_to_the_engines_own_sleep():
    waits: list[float] = []
    attempts: list[int] = []

    def flaky(event: Any, context: Any) -> Any:
        attempts.append(1)
        if len(attempts) < 2:
            raise TimeoutError("busy")
        return {"ok": True}

    definition = json.dumps(
        {
            "StartAt": "Call",
            "States": {
                "Call": {
                    "Type": "Task",
                    "Resource": function_arn("Flaky"),
                    "Retry": [{"ErrorEquals": ["TimeoutError"], "IntervalSeconds": 3}],
                    "End": True,
                }
            },
        }
    )
    engine = StepFunctionsEngine(
        definition, {"Flaky": flaky}, name=f"unit-{uuid.uuid4().hex}", retry_sleep=waits.append
    )
    try:
        assert engine.run("run", {}, timeout_seconds=60).status == "SUCCEEDED"
        assert waits == [3]
    finally:
        engine.delete()


# --- the domain facts the engine's wiring reads ----------------------------------------------


def test_the_asl_substitutions_are_filled_with_each_steps_arn():
    template = " ".join("${" + step.arn_substitution + "}" for step in PIPELINE)
    filled = fill_function_arns(template, {step.name: f"arn:{step.name}" for step in PIPELINE})
    assert filled.split() == [f"arn:{step.name}" for step in PIPELINE]


def test_compensation_undoes_every_step_but_validation_and_itself():
    assert undone_steps() == ["ParseTranscript", "AnalyzeClient", "IndexSession", "NotifyCoach"]


@pytest.mark.parametrize(
    ("original", "kind", "taken", "expected"),
    [
        ("session-1", "redrive", [], "session-1-redrive-1"),
        ("session-1-replay-2", "redrive", ["session-1-redrive-1"], "session-1-redrive-2"),
        ("drop-9-resubmit-1", "replay", [], "drop-9-replay-1"),
    ],
)
def test_a_rerun_is_named_after_the_first_run_with_the_next_free_number(
    original, kind, taken, expected
):
    assert rerun_root(original) in expected
    assert rerun_name(original, kind, taken) == expected
