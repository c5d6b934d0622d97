"""CodeDeploy's pre-traffic hook, AWS side: call a new Lambda version as API Gateway would for
`GET /health`, and report the verdict to CodeDeploy (functions/release_health_check)."""

from __future__ import annotations

import json
from typing import Any

import boto3

from coaching.adapters.aws.lazy_client import LazyClient

# The proxy event of `GET /health` on the REST API, as API Gateway builds it.
HEALTH_REQUEST: dict[str, Any] = {
    "resource": "/health",
    "path": "/health",
    "httpMethod": "GET",
    "headers": {"Accept": "application/json", "User-Agent": "coaching-release-health-check"},
    "multiValueHeaders": {
        "Accept": ["application/json"],
        "User-Agent": ["coaching-release-health-check"],
    },
    "queryStringParameters": None,
    "multiValueQueryStringParameters": None,
    "pathParameters": None,
    "stageVariables": None,
    "requestContext": {
        "resourcePath": "/health",
        "httpMethod": "GET",
        "path": "/prod/health",
        "stage": "prod",
        "requestId": "release-health-check",
        "identity": {"sourceIp": "127.0.0.1", "userAgent": "coaching-release-health-check"},
    },
    "body": None,
    "isBase64Encoded": False,
}


def is_healthy(invocation: dict[str, Any]) -> bool:
    """A Lambda Invoke answer of the API function: no function error, 200, status ok."""
    if invocation.get("FunctionError"):
        return False
    try:
        response = json.loads(invocation["Payload"].read())
        return response.get("statusCode") == 200 and json.loads(response["body"]) == {
            "status": "ok"
        }
    except (KeyError, TypeError, ValueError, AttributeError):
        return False


class LambdaHealthProbe:
    """Invokes one exact function version (its qualified ARN) with `GET /health`."""

    def __init__(self, client: Any = None) -> None:
        self._client = client or LazyClient(lambda: boto3.client("lambda"))

    def healthy(self, version_arn: str) -> bool:
        invocation = self._client.invoke(
            FunctionName=version_arn,
            InvocationType="RequestResponse",
            Payload=json.dumps(HEALTH_REQUEST).encode(),
        )
        return is_healthy(invocation)


class CodeDeployHookReporter:
    """Tells CodeDeploy how a lifecycle hook went ("Succeeded" or "Failed")."""

    def __init__(self, client: Any = None) -> None:
        self._client = client or LazyClient(lambda: boto3.client("codedeploy"))

    def report(self, deployment_id: str, hook_execution_id: str, status: str) -> None:
        self._client.put_lifecycle_event_hook_execution_status(
            deploymentId=deployment_id,
            lifecycleEventHookExecutionId=hook_execution_id,
            status=status,
        )
