"""Calling the API Lambda as API Gateway does: REST proxy events with Cognito-shaped claims."""

from __future__ import annotations

import json
import uuid
from typing import Any

from coaching.adapters.local.lambda_context import LocalLambdaContext
from coaching.api.identity import API_KEY_CONTEXT
from coaching.domain.identity import Role
from functions.api.handler import lambda_handler
from tests.documented_answers import assert_documented
from tests.lambda_events import load_event
from tests.local_ports import api

CONTEXT = LocalLambdaContext("api", "arn:aws:lambda:us-east-1:123456789012:function:api")
# What must never appear in an answer: internals of the server.
LEAKS = ("Traceback", 'File "', "psycopg", "SELECT", "RuntimeError")


def claims_for(
    org: uuid.UUID | str,
    role: Role | str = Role.COACH,
    *,
    coach_id: uuid.UUID | str | None = None,
    user_id: uuid.UUID | str | None = None,
) -> dict[str, str]:
    """The claims the authorizer hands over for a signed-in user."""
    claims = {
        "sub": str(user_id or uuid.uuid4()),
        "custom:organization_id": str(org),
        "custom:role": str(Role(role).value),
    }
    if coach_id is not None:
        claims["custom:coach_id"] = str(coach_id)
    return claims


def api_event(
    method: str,
    path: str,
    claims: dict[str, str] | None,
    *,
    body: Any = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A REST proxy event for `path`; ``claims`` None = no authorizer context at all; an API
    key's context (``api_key_id``...) is the authorizer context itself, as its authorizer
    sends it."""
    event = load_event("api_get_sessions")
    event["httpMethod"] = event["requestContext"]["httpMethod"] = method
    event["path"] = event["resource"] = event["requestContext"]["resourcePath"] = path
    event["requestContext"]["path"] = f"/prod{path}"
    event["pathParameters"] = None
    if query:
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()}
    if headers:
        event["headers"].update(headers)
        event["multiValueHeaders"].update({k: [v] for k, v in headers.items()})
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
        event["headers"].setdefault("Content-Type", "application/json")
        event["multiValueHeaders"].setdefault("Content-Type", ["application/json"])
    if claims is None:
        event["requestContext"]["authorizer"] = {}
    elif API_KEY_CONTEXT in claims:
        event["requestContext"]["authorizer"] = dict(claims)
    else:
        event["requestContext"]["authorizer"] = {"claims": claims}
    return event


def call_api(event: dict[str, Any]) -> tuple[int, Any, dict[str, Any]]:
    """(status, JSON body, headers); asserts the answer is JSON and leaks no internals."""
    result = lambda_handler(event, CONTEXT, app=api())
    headers = {**(result.get("headers") or {})}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers[name] = values[-1] if isinstance(values, list) else values
    assert headers.get("Content-Type") == "application/json", headers
    assert not any(leak in (result["body"] or "") for leak in LEAKS), result["body"]
    body = json.loads(result["body"])
    assert_documented(event["httpMethod"], event["path"], int(result["statusCode"]), body)
    return int(result["statusCode"]), body, headers


def request(
    method: str, path: str, claims: dict[str, str] | None, **kwargs: Any
) -> tuple[int, Any]:
    status, body, _ = call_api(api_event(method, path, claims, **kwargs))
    return status, body


def delete(path: str, claims: dict[str, str] | None) -> int:
    """A DELETE's status: 204 has no body, anything else is the JSON error shape."""
    result = lambda_handler(api_event("DELETE", path, claims), CONTEXT, app=api())
    status = int(result["statusCode"])
    if status == 204:
        assert not result.get("body")
    else:
        assert json.loads(result["body"])["error"]["code"] == f"COACH_{status}"
    return status
