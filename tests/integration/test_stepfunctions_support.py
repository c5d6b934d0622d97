"""ExecutionSupport on Step Functions, and the folding of history events into state runs.

The history events are real: the real ``statemachines/session_pipeline.asl.json`` runs in
moto's interpreter (as the local runtime runs it) with tiny fake handlers bound to its six
Lambda tasks, on a state machine of its own. The adapter runs against moto's default Step
Functions backend; botocore's Stubber stands in where moto 5.2.5 has nothing
(RedriveExecution) or answers canned data (GetExecutionHistory pages).
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto.stepfunctions.models import stepfunctions_backends

from coaching.adapters.aws.stepfunctions_support import (
    ExecutionNotRedrivable,
    StepFunctionsSupport,
    replay_name,
)
from coaching.adapters.local.stepfunctions import ACCOUNT_ID, REGION, StepFunctionsEngine
from coaching.adapters.stepfunctions_history import fold_history
from coaching.domain.errors import Conflict, NotFound, TransientError
from coaching.domain.pipeline import step_names
from coaching.ports.executions import StateRun
from local_runtime.pipeline import pipeline_definition
from tests.moto_scope import scoped_mock_aws

pytestmark = pytest.mark.integration

ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/session-pipeline"
ORG = "7d1c8a52-0000-4000-8000-000000000001"
SESSION = "3f2b7c10-1111-4222-8333-444455556666"


# --- real history events from moto's interpreter ----------------------------------------------


class IndexUnavailable(Exception):
    """What the fake IndexSession raises: its class name is the error the saga sees."""


def fake_handler(step: str) -> Callable[[dict, Any], Any]:
    def handler(event: dict, context: Any) -> Any:
        if step == "ParseTranscript":
            return {"clients": ["Ann", "Bob"]}
        if step == "AnalyzeClient":
            return {"client": event["client_name"], "themes": ["goals"]}
        return {"step": step}

    return handler


def raising(error: Exception) -> Callable[[dict, Any], Any]:
    def handler(event: dict, context: Any) -> Any:
        raise error

    return handler


@pytest.fixture
def run_pipeline() -> Iterator[Callable[..., tuple[str, list[dict]]]]:
    """Runs the real ASL on a state machine of its own; returns (status, history events).

    An engine of its own runs it with fake handlers bound to the six Lambda tasks; the
    machine is deleted afterwards, and the platform's engine takes the interpreter back at
    its next run.
    """
    engine = StepFunctionsEngine(
        pipeline_definition(),
        {step: fake_handler(step) for step in step_names()},
        name=f"support-test-{uuid.uuid4().hex[:12]}",
        retry_sleep=lambda seconds: None,
    )

    def run(**overrides: Callable[[dict, Any], Any]) -> tuple[str, list[dict]]:
        for step in step_names():
            engine.set_handler(step, overrides.get(step) or fake_handler(step))
        name = f"session-{uuid.uuid4()}"
        execution = engine.run(name, {"organization_id": ORG, "session_id": SESSION}, 30)
        return execution.status, engine.history(name)

    try:
        yield run
    finally:
        engine.delete()


def by_name(states: list[StateRun], name: str) -> list[StateRun]:
    return [state for state in states if state.name == name]


def test_fold_a_succeeded_run(run_pipeline):
    status, events = run_pipeline()
    assert status == "SUCCEEDED"

    states = fold_history(events)

    assert [s.name for s in states] == [
        "ValidateAndStore",
        "ParseTranscript",
        "AnalyzeParticipants",
        "AnalyzeClient",
        "AnalyzeClient",
        "IndexSession",
        "NotifyCoach",
    ]
    assert {s.status for s in states} == {"succeeded"}
    assert all(s.error is None and s.cause is None for s in states)
    first = states[0]
    assert first.input == {"organization_id": ORG, "session_id": SESSION}
    assert first.output == {**first.input, "stored": {"step": "ValidateAndStore"}}
    assert states[1].output["parsed"] == {"clients": ["Ann", "Bob"]}
    # One run per Map item, under the iterator state's own name, with the item's input.
    clients = by_name(states, "AnalyzeClient")
    assert sorted(c.input["client_name"] for c in clients) == ["Ann", "Bob"]
    assert all(c.output == {"client": c.input["client_name"], "themes": ["goals"]} for c in clients)
    assert sorted(a["client"] for a in states[2].output["analysis"]) == ["Ann", "Bob"]
    for state in states:
        assert state.entered_at is not None and state.entered_at.tzinfo is not None
        assert state.exited_at is not None and state.entered_at <= state.exited_at


def test_fold_a_run_failed_at_index_session(run_pipeline):
    status, events = run_pipeline(IndexSession=raising(IndexUnavailable("search index is down")))
    assert status == "FAILED"

    states = fold_history(events)

    assert [(s.name, s.status) for s in states] == [
        ("ValidateAndStore", "succeeded"),
        ("ParseTranscript", "succeeded"),
        ("AnalyzeParticipants", "succeeded"),
        ("AnalyzeClient", "succeeded"),
        ("AnalyzeClient", "succeeded"),
        ("IndexSession", "caught"),
        ("FailedAtIndexSession", "succeeded"),
        ("Compensate", "succeeded"),
        ("SessionFailed", "failed"),
    ]
    index = by_name(states, "IndexSession")[0]
    assert index.error == "IndexUnavailable"
    assert json.loads(index.cause) == {
        "errorType": "IndexUnavailable",
        "errorMessage": "search index is down",
    }
    # The Catch put the error into the state's output (ResultPath $.error).
    assert index.output["error"] == {"Error": "IndexUnavailable", "Cause": index.cause}
    compensate = by_name(states, "Compensate")[0]
    assert compensate.input["failed_step"] == "IndexSession"
    assert compensate.output["compensation"] == {"step": "Compensate"}
    assert compensate.error is None
    failed = by_name(states, "SessionFailed")[0]
    assert failed.error == "SessionProcessingFailed"
    assert failed.cause.startswith("A step failed; compensation ran")
    assert failed.exited_at is None


def test_fold_a_failed_map_item_caught_by_the_map(run_pipeline):
    def analyze(event: dict, context: Any) -> Any:
        if event["client_name"] == "Bob":
            raise ValueError("Bob's turns are empty")
        return {"client": event["client_name"]}

    status, events = run_pipeline(AnalyzeClient=analyze)
    assert status == "FAILED"

    states = fold_history(events)

    bob = [s for s in by_name(states, "AnalyzeClient") if s.input["client_name"] == "Bob"]
    assert [(s.status, s.error) for s in bob] == [("failed", "ValueError")]
    participants = by_name(states, "AnalyzeParticipants")[0]
    # MapStateFailed carries no details: the map shows the failure of its item.
    assert (participants.status, participants.error) == ("caught", "ValueError")
    assert "Bob's turns are empty" in participants.cause
    names = [s.name for s in states]
    assert names.index("FailedAtAnalyzeParticipants") < names.index("Compensate")
    assert "IndexSession" not in names
    assert by_name(states, "SessionFailed")[0].status == "failed"


def test_fold_a_retried_step_that_then_succeeded(run_pipeline):
    attempts: list[int] = []

    def flaky(event: dict, context: Any) -> Any:
        attempts.append(1)
        if len(attempts) == 1:
            raise TransientError("database connection lost")
        return {"step": "ValidateAndStore"}

    status, events = run_pipeline(ValidateAndStore=flaky)
    assert status == "SUCCEEDED"

    states = fold_history(events)

    validate = states[0]
    assert (validate.name, validate.status, validate.error) == (
        "ValidateAndStore",
        "succeeded",
        None,
    )
    assert len(attempts) == 2
    assert len(by_name(states, "ValidateAndStore")) == 1


def test_fold_is_the_same_for_boto3_shaped_and_shuffled_events(run_pipeline):
    _, events = run_pipeline(IndexSession=raising(IndexUnavailable("down")))
    # As boto3 returns them: plain string types, datetime timestamps; and out of order.
    boto_shaped = [
        {
            **event,
            "type": str(event["type"].value),
            "timestamp": dt.datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00")),
        }
        for event in events
    ]
    assert fold_history(list(reversed(boto_shaped))) == fold_history(events)


def test_fold_without_event_ids_falls_back_to_order(run_pipeline):
    _, events = run_pipeline(IndexSession=raising(IndexUnavailable("down")))
    bare = [{k: v for k, v in e.items() if k not in ("id", "previousEventId")} for e in events]

    states = fold_history(bare)

    assert [(s.name, s.status) for s in states] == [
        (s.name, s.status) for s in fold_history(events)
    ]


def event(n: int, previous: int, kind: str, **details: Any) -> dict:
    return {"id": n, "previousEventId": previous, "type": kind, "timestamp": None, **details}


def test_fold_a_running_then_aborted_then_redriven_run():
    entered = {"stateEnteredEventDetails": {"name": "IndexSession", "input": "{}"}}
    running = [
        event(1, 0, "ExecutionStarted"),
        event(2, 1, "TaskStateEntered", **entered),
        event(3, 2, "LambdaFunctionScheduled"),
    ]
    assert [(s.name, s.status) for s in fold_history(running)] == [("IndexSession", "running")]

    aborted = [*running, event(4, 3, "ExecutionAborted")]
    assert [(s.status, s.error) for s in fold_history(aborted)] == [("failed", "ExecutionAborted")]

    redriven = [
        *aborted,
        event(5, 4, "ExecutionRedriven"),
        event(6, 5, "TaskStateEntered", **entered),
        event(7, 6, "LambdaFunctionSucceeded"),
        event(
            8, 7, "TaskStateExited", stateExitedEventDetails={"name": "IndexSession", "output": "1"}
        ),
        event(9, 8, "ExecutionSucceeded"),
    ]
    states = fold_history(redriven)
    assert [(s.status, s.output) for s in states] == [("failed", None), ("succeeded", 1)]


def test_fold_an_uncaught_task_failure():
    events = [
        event(1, 0, "TaskStateEntered", stateEnteredEventDetails={"name": "Compensate"}),
        event(
            2,
            1,
            "TaskFailed",
            taskFailedEventDetails={"error": "TransientError", "cause": "still down"},
        ),
        event(3, 2, "ExecutionFailed", executionFailedEventDetails={"error": "TransientError"}),
    ]
    [state] = fold_history(events)
    assert (state.status, state.error, state.cause) == ("failed", "TransientError", "still down")


# --- the adapter on moto's default backend ----------------------------------------------------


@pytest.fixture
def sfn(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with scoped_mock_aws(stepfunctions_backends):
        yield boto3.client("stepfunctions", region_name=REGION)


@pytest.fixture
def machine(sfn) -> str:
    definition = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})
    return sfn.create_state_machine(name="pipeline", definition=definition, roleArn=ROLE)[
        "stateMachineArn"
    ]


def start(sfn, machine: str, name: str, payload: dict | None = None) -> str:
    return sfn.start_execution(stateMachineArn=machine, name=name, input=json.dumps(payload or {}))[
        "executionArn"
    ]


def test_list_reads_session_ids_and_filters_by_status(sfn, machine):
    other = str(uuid.uuid4())
    start(sfn, machine, f"session-{SESSION}", {"session_id": SESSION})
    start(sfn, machine, f"drop-{other}")
    stopped = start(sfn, machine, "manual-test")
    sfn.stop_execution(executionArn=stopped)
    support = StepFunctionsSupport(sfn, machine)

    runs = {run.name: run for run in support.list()}

    assert set(runs) == {f"session-{SESSION}", f"drop-{other}", "manual-test"}
    assert runs[f"session-{SESSION}"].session_id == SESSION
    assert runs[f"drop-{other}"].session_id == other
    # Not derivable from the name; ListExecutions has no input, and one call per run is dear.
    assert runs["manual-test"].session_id is None
    assert runs["manual-test"].status == "ABORTED"
    assert runs["manual-test"].stopped_at is not None
    assert all(r.redrive_of is None and r.replay_of is None for r in runs.values())
    assert [r.name for r in support.list(status="ABORTED")] == ["manual-test"]
    assert support.list(status="SUCCEEDED") == []


def test_list_since_and_limit(sfn, machine):
    for _ in range(5):
        start(sfn, machine, f"session-{uuid.uuid4()}")
    support = StepFunctionsSupport(sfn, machine)
    now = dt.datetime.now(dt.UTC)

    assert len(support.list(since=now - dt.timedelta(minutes=5))) == 5
    # A naive `since` reads as UTC.
    assert len(support.list(since=(now - dt.timedelta(minutes=5)).replace(tzinfo=None))) == 5
    assert support.list(since=now + dt.timedelta(minutes=5)) == []
    # Pages of `limit`, and no more than `limit` runs.
    assert len(support.list(limit=2)) == 2


def test_list_stops_at_the_first_run_older_than_since():
    sfn = boto3.client(
        "stepfunctions", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    arn = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:pipeline"
    day = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)

    def item(name: str, hours: int) -> dict:
        return {
            "executionArn": f"{arn}:{name}",
            "stateMachineArn": arn,
            "name": name,
            "status": "FAILED",
            "startDate": day + dt.timedelta(hours=hours),
        }

    with Stubber(sfn) as stub:
        stub.add_response(
            "list_executions",
            {"executions": [item("c-replay-2", 3), item("b", 2)], "nextToken": "page-2"},
            {"stateMachineArn": arn, "maxResults": 100, "statusFilter": "FAILED"},
        )
        stub.add_response(
            "list_executions",
            {"executions": [item("a", 1), item("old", -5)], "nextToken": "page-3"},
            {
                "stateMachineArn": arn,
                "maxResults": 100,
                "statusFilter": "FAILED",
                "nextToken": "page-2",
            },
        )
        runs = StepFunctionsSupport(sfn, arn).list(status="FAILED", since=day)
        stub.assert_no_pending_responses()  # page 3 never asked for

    assert [(r.name, r.replay_of) for r in runs] == [("c-replay-2", "c"), ("b", None), ("a", None)]


def test_show_folds_the_history_of_a_run(sfn, machine):
    # moto's default backend never runs the machine and answers a canned history.
    start(sfn, machine, "manual-test", {"session_id": SESSION, "organization_id": ORG})
    support = StepFunctionsSupport(sfn, machine)

    detail = support.show("manual-test")

    assert (detail.name, detail.status) == ("manual-test", "RUNNING")
    assert detail.session_id == SESSION  # from the input, which show reads anyway
    assert [(s.name, s.status, s.output) for s in detail.states] == [
        ("A State", "succeeded", "An output")
    ]


def test_show_reads_every_page_of_history():
    sfn = boto3.client(
        "stepfunctions", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    arn = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:pipeline"
    execution = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:execution:pipeline:session-{SESSION}"
    at = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)

    def entered(n: int, name: str) -> dict:
        details = {"name": name, "input": json.dumps({"n": n})}
        return {
            **event(n, n - 1, "TaskStateEntered", stateEnteredEventDetails=details),
            "timestamp": at,
        }

    failed = {
        **event(3, 2, "LambdaFunctionFailed"),
        "timestamp": at,
        "lambdaFunctionFailedEventDetails": {"error": "Boom", "cause": "broken"},
    }
    exited = {
        **event(2, 1, "TaskStateExited"),
        "timestamp": at,
        "stateExitedEventDetails": {"name": "ValidateAndStore", "output": "{}"},
    }
    request = {"executionArn": execution, "includeExecutionData": True, "maxResults": 1000}
    with Stubber(sfn) as stub:
        stub.add_response(
            "describe_execution",
            {
                "executionArn": execution,
                "stateMachineArn": arn,
                "name": f"session-{SESSION}",
                "status": "FAILED",
                "startDate": at,
                "stopDate": at,
                "error": "Boom",
                "cause": "broken",
                "input": "{}",
            },
            {"executionArn": execution},
        )
        stub.add_response(
            "get_execution_history",
            {"events": [entered(1, "ValidateAndStore"), exited], "nextToken": "more"},
            request,
        )
        stub.add_response(
            "get_execution_history",
            {"events": [entered(3, "ParseTranscript"), {**failed, "id": 4, "previousEventId": 3}]},
            {**request, "nextToken": "more"},
        )
        detail = StepFunctionsSupport(sfn, arn).show(f"session-{SESSION}")
        stub.assert_no_pending_responses()

    assert (detail.status, detail.error, detail.cause) == ("FAILED", "Boom", "broken")
    assert detail.session_id == SESSION
    assert [(s.name, s.status, s.error) for s in detail.states] == [
        ("ValidateAndStore", "succeeded", None),
        ("ParseTranscript", "failed", "Boom"),
    ]


def test_unknown_run_is_not_found(sfn, machine):
    support = StepFunctionsSupport(sfn, machine)
    for action in (support.show, support.redrive, support.replay):
        with pytest.raises(NotFound, match="no pipeline run named nope"):
            action("nope")


def test_replay_starts_numbered_runs_with_the_same_input(sfn, machine):
    original = f"session-{SESSION}"
    payload = {"organization_id": ORG, "session_id": SESSION, "transcript_key": "in/a.vtt"}
    # moto's default backend never finishes a run: stop it, so it can be replayed.
    sfn.stop_execution(executionArn=start(sfn, machine, original, payload))
    support = StepFunctionsSupport(sfn, machine)

    first = support.replay(original)
    second = support.replay(original)
    # A replay of a replay is the next replay of the original.
    sfn.stop_execution(executionArn=support.execution_arn(second.name))
    third = support.replay(second.name)

    assert [(r.name, r.replay_of, r.status) for r in (first, second, third)] == [
        (f"{original}-replay-1", original, "RUNNING"),
        (f"{original}-replay-2", original, "RUNNING"),
        (f"{original}-replay-3", original, "RUNNING"),
    ]
    assert {r.session_id for r in (first, second, third)} == {SESSION}
    for replay in (first, second, third):
        described = sfn.describe_execution(executionArn=support.execution_arn(replay.name))
        assert json.loads(described["input"]) == payload
    listed = {r.name: r.replay_of for r in support.list()}
    assert listed == {
        original: None,
        f"{original}-replay-1": original,
        f"{original}-replay-2": original,
        f"{original}-replay-3": original,
    }


def test_replay_refuses_a_running_run(sfn, machine):
    start(sfn, machine, f"session-{SESSION}")
    support = StepFunctionsSupport(sfn, machine)
    with pytest.raises(ExecutionNotRedrivable, match="still running; replay it once"):
        support.replay(f"session-{SESSION}")
    assert [r.name for r in support.list()] == [f"session-{SESSION}"]


def test_replay_names_stay_within_80_characters():
    assert replay_name("x" * 80, 12) == "x" * 70 + "-replay-12"
    assert len(replay_name("x" * 80, 12)) == 80
    assert replay_name("drop-a", 1) == "drop-a-replay-1"


def test_replay_takes_the_next_number_when_the_name_is_taken():
    sfn = boto3.client(
        "stepfunctions", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    arn = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:pipeline"
    prefix = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:execution:pipeline"
    at = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    with Stubber(sfn) as stub:
        stub.add_response(
            "describe_execution",
            {
                "executionArn": f"{prefix}:run",
                "stateMachineArn": arn,
                "name": "run",
                "status": "FAILED",
                "startDate": at,
                "input": '{"session_id": "s-1"}',
            },
        )
        stub.add_response("list_executions", {"executions": []})
        stub.add_client_error("start_execution", "ExecutionAlreadyExists", http_status_code=400)
        stub.add_response(
            "start_execution",
            {"executionArn": f"{prefix}:run-replay-2", "startDate": at},
            {"stateMachineArn": arn, "name": "run-replay-2", "input": '{"session_id": "s-1"}'},
        )
        replay = StepFunctionsSupport(sfn, arn).replay("run")
        stub.assert_no_pending_responses()
    assert (replay.name, replay.replay_of, replay.session_id) == ("run-replay-2", "run", "s-1")


def test_redrive_refuses_a_running_run(sfn, machine):
    start(sfn, machine, "manual-test")
    with pytest.raises(ExecutionNotRedrivable, match="is RUNNING; only failed runs"):
        StepFunctionsSupport(sfn, machine).redrive("manual-test")


@contextmanager
def executing_machine(definition: str) -> Iterator[tuple[Any, str]]:
    """moto running the definition (its parser backend): only this machine, deleted after."""
    with scoped_mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        client = boto3.client("stepfunctions", region_name=REGION)
        arn = client.create_state_machine(
            name=f"support-{uuid.uuid4().hex[:12]}", definition=definition, roleArn=ROLE
        )["stateMachineArn"]
        try:
            yield client, arn
        finally:
            client.delete_state_machine(stateMachineArn=arn)


def finish(client, arn: str, name: str) -> str:
    support = StepFunctionsSupport(client, arn)
    start(client, arn, name, {"session_id": SESSION})
    deadline = time.monotonic() + 30
    while (status := support.list()[0].status) == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.01)
    return status


def test_redrive_refuses_a_succeeded_run(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    definition = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})
    with executing_machine(definition) as (client, arn):
        assert finish(client, arn, f"session-{SESSION}") == "SUCCEEDED"
        support = StepFunctionsSupport(client, arn)
        with pytest.raises(ExecutionNotRedrivable) as raised:
            support.redrive(f"session-{SESSION}")
        detail = support.show(f"session-{SESSION}")
    assert str(raised.value).startswith(
        f"Run session-{SESSION} is SUCCEEDED; only failed runs can be redriven."
    )
    assert isinstance(raised.value, Conflict)
    # The real history of an executed run, through boto3.
    assert [(s.name, s.status, s.output) for s in detail.states] == [
        ("Done", "succeeded", {"session_id": SESSION})
    ]


def test_show_an_executed_failed_run(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    definition = json.dumps(
        {
            "StartAt": "Boom",
            "States": {"Boom": {"Type": "Fail", "Error": "TranscriptRejected", "Cause": "empty"}},
        }
    )
    with executing_machine(definition) as (client, arn):
        assert finish(client, arn, "drop-x") == "FAILED"
        detail = StepFunctionsSupport(client, arn).show("drop-x")
    assert (detail.status, detail.error, detail.cause) == ("FAILED", "TranscriptRejected", "empty")
    assert detail.session_id == SESSION  # from the input: the name holds no uuid
    assert [(s.name, s.status, s.error, s.cause) for s in detail.states] == [
        ("Boom", "failed", "TranscriptRejected", "empty")
    ]


def stubbed_failed_run(
    stub: Stubber, arn: str, status: str = "FAILED", error: str = "States.TaskFailed"
) -> None:
    at = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    stub.add_response(
        "describe_execution",
        {
            "executionArn": f"{arn}:run",
            "stateMachineArn": arn,
            "name": f"drop-{SESSION}",
            "status": status,
            "startDate": at,
            "stopDate": at,
            "error": error,
            "cause": "A step failed",
            "input": json.dumps({"session_id": SESSION}),
        },
    )


def test_redrive_of_a_compensated_run_starts_a_linked_run_with_the_same_input():
    # Given a run that ended in the compensation path's Fail state
    sfn = boto3.client(
        "stepfunctions", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    arn = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:pipeline"
    with Stubber(sfn) as stub:
        stubbed_failed_run(stub, arn, error="SessionProcessingFailed")
        stub.add_response("list_executions", {"executions": []})
        stub.add_response(
            "start_execution",
            {"executionArn": f"{arn}:x", "startDate": dt.datetime(2025, 3, 2, tzinfo=dt.UTC)},
            {
                "stateMachineArn": arn,
                "name": f"drop-{SESSION}-redrive-1",
                "input": json.dumps({"session_id": SESSION}),
            },
        )
        # When support redrives it
        run = StepFunctionsSupport(sfn, arn).redrive(f"drop-{SESSION}")
        stub.assert_no_pending_responses()
    # Then AWS's own redrive (which would only re-run the Fail state) is not used: a linked
    # run with the same input resumes, reusing the steps that finished
    assert run.name == f"drop-{SESSION}-redrive-1"
    assert run.redrive_of == f"drop-{SESSION}"
    assert run.session_id == SESSION


def test_redrive_resumes_the_same_execution():
    sfn = boto3.client(
        "stepfunctions", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    arn = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:pipeline"
    execution = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:execution:pipeline:drop-{SESSION}"
    with Stubber(sfn) as stub:
        for status in ("FAILED", "TIMED_OUT", "ABORTED"):
            stubbed_failed_run(stub, arn, status)
            stub.add_response(
                "redrive_execution",
                {"redriveDate": dt.datetime(2025, 3, 2, tzinfo=dt.UTC)},
                {"executionArn": execution},
            )
        runs = [StepFunctionsSupport(sfn, arn).redrive(f"drop-{SESSION}") for _ in range(3)]
        stub.assert_no_pending_responses()
    for run in runs:
        assert (run.name, run.status, run.session_id) == (f"drop-{SESSION}", "RUNNING", SESSION)
        assert (run.redrive_of, run.replay_of, run.stopped_at, run.error) == (
            None,
            None,
            None,
            None,
        )


def test_redrive_that_aws_refuses_is_not_redrivable():
    sfn = boto3.client(
        "stepfunctions", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    arn = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:pipeline"
    with Stubber(sfn) as stub:
        stubbed_failed_run(stub, arn)
        stub.add_client_error("redrive_execution", "ExecutionNotRedrivable", http_status_code=400)
        stubbed_failed_run(stub, arn)
        stub.add_client_error("redrive_execution", "ThrottlingException", http_status_code=400)
        with pytest.raises(ExecutionNotRedrivable, match="cannot redrive"):
            StepFunctionsSupport(sfn, arn).redrive(f"drop-{SESSION}")
        with pytest.raises(TransientError):
            StepFunctionsSupport(sfn, arn).redrive(f"drop-{SESSION}")
        stub.assert_no_pending_responses()


def test_list_errors_are_translated():
    sfn = boto3.client(
        "stepfunctions", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    arn = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:pipeline"
    with Stubber(sfn) as stub:
        stub.add_client_error("list_executions", "ThrottlingException", http_status_code=400)
        stub.add_client_error("list_executions", "StateMachineDoesNotExist", http_status_code=400)
        with pytest.raises(TransientError):
            StepFunctionsSupport(sfn, arn).list()
        with pytest.raises(NotFound):
            StepFunctionsSupport(sfn, arn).list()
        stub.assert_no_pending_responses()
