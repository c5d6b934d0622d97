"""Local stand-in for API Gateway: an HTTP request becomes a REST proxy event for the same
Lambda handler that runs in AWS, and its reply becomes the HTTP response."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from local_runtime.lambda_binding import LocalLambdaContext

_TEXT_TYPES = ("application/json", "text/", "application/x-www-form-urlencoded")


async def to_proxy_event(request: Request, authorizer: dict[str, str]) -> dict[str, Any]:
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    is_text = not body or any(content_type.startswith(t) for t in _TEXT_TYPES)
    query = request.query_params
    request_id = str(uuid.uuid4())
    return {
        "resource": request.url.path,
        "path": request.url.path,
        "httpMethod": request.method,
        "headers": dict(request.headers),
        "multiValueHeaders": {k: request.headers.getlist(k) for k in request.headers},
        "queryStringParameters": dict(query) or None,
        "multiValueQueryStringParameters": {k: query.getlist(k) for k in query} or None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "requestId": request_id,
            "stage": "local",
            "httpMethod": request.method,
            "path": request.url.path,
            "resourcePath": request.url.path,
            "identity": {"sourceIp": request.client.host if request.client else "127.0.0.1"},
            "authorizer": authorizer,
        },
        "body": (body.decode("utf-8") if is_text else base64.b64encode(body).decode("ascii"))
        if body
        else None,
        "isBase64Encoded": bool(body) and not is_text,
    }


def from_proxy_result(result: dict[str, Any]) -> Response:
    body = result.get("body") or ""
    content = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode("utf-8")
    response = Response(content=content, status_code=int(result["statusCode"]))
    # As API Gateway does: multiValueHeaders win over headers of the same name, and each value
    # stays its own header line (joining Set-Cookie values with commas would break them).
    multi = {
        name.lower(): values for name, values in (result.get("multiValueHeaders") or {}).items()
    }
    for name, value in (result.get("headers") or {}).items():
        if name.lower() not in multi:
            response.headers[name] = str(value)
    for name, values in multi.items():
        if name in response.headers:
            del response.headers[name]
        for value in values:
            response.headers.append(name, str(value))
    return response


def proxy_endpoint(
    handler: Callable[[dict, Any], dict], authorizer: Callable[[Request], dict[str, str]]
):
    async def endpoint(request: Request) -> Response:
        event = await to_proxy_event(request, authorizer(request))
        context = LocalLambdaContext("api", "arn:aws:lambda:local:000000000000:function:api")
        result = await run_in_threadpool(handler, event, context)
        return from_proxy_result(result)

    return endpoint
