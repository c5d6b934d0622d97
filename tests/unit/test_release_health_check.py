"""CodeDeploy's pre-traffic hook (functions/release_health_check): calls the new API version's
`GET /health` and always tells CodeDeploy the verdict."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from coaching.adapters.aws.release_hooks import (
    HEALTH_REQUEST,
    CodeDeployHookReporter,
    LambdaHealthProbe,
    is_healthy,
)
from coaching.adapters.local.lambda_context import LocalLambdaContext
from functions.release_health_check.handler import lambda_handler
from tests.lambda_events import load_event

CONTEXT = LocalLambdaContext(
    "release_health_check",
    "arn:aws:lambda:us-east-1:123456789012:function:release_health_check",
)
TARGET = "arn:aws:lambda:us-east-1:123456789012:function:api:42"


def invocation(status: int = 200, body: Any = None, error: str | None = None) -> dict:
    answer = {"statusCode": status, "body": json.dumps(body or {"status": "ok"})}
    result: dict[str, Any] = {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(answer).encode())}
    if error:
        result["FunctionError"] = error
    return result


class FakeLambda:
    def __init__(self, answer: dict | Exception) -> None:
        self.answer = answer
        self.calls: list[dict] = []

    def invoke(self, **call: Any) -> dict:
        self.calls.append(call)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


class FakeCodeDeploy:
    def __init__(self) -> None:
        self.reports: list[dict] = []

    def put_lifecycle_event_hook_execution_status(self, **report: Any) -> None:
        self.reports.append(report)


@pytest.fixture(autouse=True)
def target(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_HEALTH_CHECK_TARGET", TARGET)


def run(answer: dict | Exception) -> tuple[dict, FakeLambda, FakeCodeDeploy]:
    event = load_event("release_health_check_pre_traffic")
    lambda_client, codedeploy = FakeLambda(answer), FakeCodeDeploy()
    result = lambda_handler(
        event,
        CONTEXT,
        probe=LambdaHealthProbe(lambda_client),
        reporter=CodeDeployHookReporter(codedeploy),
    )
    return result, lambda_client, codedeploy


def test_a_healthy_new_version_lets_the_release_go_on() -> None:
    result, lambda_client, codedeploy = run(invocation())
    # Then the exact new version got GET /health, and CodeDeploy heard "Succeeded"
    (call,) = lambda_client.calls
    assert call["FunctionName"] == TARGET
    assert json.loads(call["Payload"])["path"] == "/health"
    assert codedeploy.reports == [
        {
            "deploymentId": "d-EXAMPLE123",
            "lifecycleEventHookExecutionId": "eyJlbmNyeXB0ZWREYXRhIjoiRVhBTVBMRSJ9",
            "status": "Succeeded",
        }
    ]
    assert result == {"status": "Succeeded"}


@pytest.mark.parametrize(
    "answer",
    [
        invocation(500, {"error": {"code": "COACH_500"}}),
        invocation(200, {"status": "degraded"}),
        invocation(error="Unhandled"),  # e.g. the new version fails to import
        {"StatusCode": 200, "Payload": io.BytesIO(b"not json")},
        RuntimeError("throttled"),
    ],
    ids=["500", "not ok", "function error", "garbage", "invoke raised"],
)
def test_anything_but_a_healthy_answer_fails_the_release(answer: dict | Exception) -> None:
    result, _, codedeploy = run(answer)
    assert [r["status"] for r in codedeploy.reports] == ["Failed"]
    assert result == {"status": "Failed"}


def test_the_request_is_a_rest_proxy_event_for_health() -> None:
    assert HEALTH_REQUEST["httpMethod"] == "GET"
    assert HEALTH_REQUEST["resource"] == HEALTH_REQUEST["requestContext"]["resourcePath"]
    assert is_healthy(invocation()) is True
