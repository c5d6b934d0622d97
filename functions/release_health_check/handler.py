"""Lambda: CodeDeploy's pre-traffic hook for the API function (cdk/release.py).

Before the `live` alias moves, invoke the new version (its exact ARN, from
COACH_HEALTH_CHECK_TARGET) with the request API Gateway would send for `GET /health`, and
tell CodeDeploy "Succeeded" only on a 200 with `{"status": "ok"}`. Anything else, including
an exception or a version that fails to import, is "Failed": CodeDeploy stops the release
and the alias stays where it was. CodeDeploy is always told, or it would wait an hour.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

from coaching.observability import logger

TARGET_VARIABLE = "COACH_HEALTH_CHECK_TARGET"
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
    """The Lambda Invoke answer of the API function: no function error, 200, status ok."""
    if invocation.get("FunctionError"):
        return False
    try:
        response = json.loads(invocation["Payload"].read())
        return response.get("statusCode") == 200 and json.loads(response["body"]) == {
            "status": "ok"
        }
    except (KeyError, TypeError, ValueError, AttributeError):
        return False


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(
    event: dict, context: Any, lambda_client: Any = None, codedeploy: Any = None
) -> dict:
    lambda_client = lambda_client or boto3.client("lambda")
    codedeploy = codedeploy or boto3.client("codedeploy")
    target = os.environ.get(TARGET_VARIABLE, "")
    status = "Failed"
    try:
        invocation = lambda_client.invoke(
            FunctionName=target,
            InvocationType="RequestResponse",
            Payload=json.dumps(HEALTH_REQUEST).encode(),
        )
        status = "Succeeded" if is_healthy(invocation) else "Failed"
    except Exception:
        logger.exception("health check could not call the new version", extra={"target": target})
    finally:
        codedeploy.put_lifecycle_event_hook_execution_status(
            deploymentId=event["DeploymentId"],
            lifecycleEventHookExecutionId=event["LifecycleEventHookExecutionId"],
            status=status,
        )
    logger.info("release health check", extra={"target": target, "status": status})
    return {"status": status}
