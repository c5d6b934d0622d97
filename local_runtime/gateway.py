"""Local stand-in for API Gateway: an HTTP request becomes a REST proxy event for the same
Lambda handler that runs in AWS, and its reply becomes the HTTP response."""

from __future__ import annotations

import base64
import threading
import uuid
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from coaching.adapters.local.lambda_context import LocalLambdaContext
from coaching.api.request_size import body_too_large
from coaching.api.security import security_headers
from coaching.domain.errors import Unauthenticated

_TEXT_TYPES = ("application/json", "text/", "application/x-www-form-urlencoded")


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:  # declared as text but is not: passed on base64, as binary
        return False
    return True


def to_proxy_event(request: Request, body: bytes, authorizer: dict[str, str]) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    is_text = not body or (any(content_type.startswith(t) for t in _TEXT_TYPES) and _is_utf8(body))
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


# Powertools' resolver keeps the request being handled in class attributes, so one process
# handles one API request at a time, exactly as one Lambda execution environment does.
_HANDLER_LOCK = threading.Lock()


def one_at_a_time(handler: Callable[[dict, Any], dict], event: dict, context: Any) -> dict:
    with _HANDLER_LOCK:
        return handler(event, context)


def proxy_endpoint(
    handler: Callable[[dict, Any], dict],
    authorizer: Callable[[Request], dict],
    max_body_bytes: int,
):
    async def endpoint(request: Request) -> Response:
        # As in AWS: the size limit (the firewall), then the authorizer, answer before the
        # Lambda runs.
        body = await read_body_within(request, max_body_bytes)
        if body is None:
            # The answer API Gateway's firewall gives in AWS (api/request_size.py).
            return gateway_error(
                request, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, body_too_large().user_message()
            )
        try:
            context = authorizer(request)
        except Unauthenticated as error:
            return gateway_error(request, HTTPStatus.UNAUTHORIZED, error.user_message())
        event = to_proxy_event(request, body, context)
        lambda_context = LocalLambdaContext("api", "arn:aws:lambda:local:000000000000:function:api")
        result = await run_in_threadpool(one_at_a_time, handler, event, lambda_context)
        return from_proxy_result(result)

    return endpoint


async def read_body_within(request: Request, limit: int) -> bytes | None:
    """The body (chunked or not), read up to ``limit`` bytes; None as soon as it is larger."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def gateway_error(request: Request, status: HTTPStatus, message: str) -> Response:
    """An answer of the gateway itself, in the API's one error shape."""
    headers = security_headers(request.url.path)
    if status == HTTPStatus.UNAUTHORIZED:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(
        {"error": {"code": f"COACH_{status.value}", "message": message, "details": {}}},
        status_code=status,
        headers=headers,
    )
