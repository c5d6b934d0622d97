"""Domain errors -> HTTP, in one place. One JSON shape; never a stack trace or SQL."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types

from coaching.domain.errors import (
    CoachingError,
    ConfigurationError,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    PermanentError,
    TooManyRequests,
    TranscriptRejected,
    TransientError,
    Unauthenticated,
    Unprocessable,
)

# First match wins: subclasses before their bases.
_STATUS = [
    (NotFound, HTTPStatus.NOT_FOUND),
    (Conflict, HTTPStatus.CONFLICT),
    (Unauthenticated, HTTPStatus.UNAUTHORIZED),
    (Forbidden, HTTPStatus.FORBIDDEN),
    (PayloadTooLarge, HTTPStatus.REQUEST_ENTITY_TOO_LARGE),
    (TooManyRequests, HTTPStatus.TOO_MANY_REQUESTS),
    (TranscriptRejected, HTTPStatus.UNPROCESSABLE_ENTITY),
    (Unprocessable, HTTPStatus.UNPROCESSABLE_ENTITY),
    (ConfigurationError, HTTPStatus.INTERNAL_SERVER_ERROR),
    (TransientError, HTTPStatus.SERVICE_UNAVAILABLE),
    (PermanentError, HTTPStatus.BAD_REQUEST),
]


def error_body(code: str, message: str, details=None) -> dict:
    """The one error shape, for HTTP answers and WebSocket error frames alike."""
    return {"error": {"code": code, "message": message, "details": details or {}}}


def error_response(status: HTTPStatus, code: str, message: str, details=None) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=error_body(code, message, details),
    )


def status_for(error: CoachingError) -> HTTPStatus:
    return next((s for kind, s in _STATUS if isinstance(error, kind)), HTTPStatus.BAD_REQUEST)


def response_for(error: CoachingError) -> Response:
    response = error_response(status_for(error), error.code, error.user_message())
    if isinstance(error, TooManyRequests):
        response.headers["Retry-After"] = str(error.retry_after_seconds)
    if isinstance(error, Unauthenticated):
        response.headers["WWW-Authenticate"] = "Bearer"  # a 401 says how to authenticate
    return response


def unexpected_error_response() -> Response:
    """A bug or an outage we did not name: say so, and keep the details in the logs."""
    return error_response(
        HTTPStatus.INTERNAL_SERVER_ERROR,
        "COACH_500",
        "Something went wrong on our side. Please try again; if it keeps happening, "
        "contact support.",
    )


# The error shape as the OpenAPI document describes it.
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "pattern": "^COACH_[0-9]{3}$"},
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
        }
    },
}
# Every /v1 route can answer these: no valid sign-in, a role that may not, a bad request,
# too many requests, the database away.
_V1_ERRORS = (
    HTTPStatus.UNAUTHORIZED,
    HTTPStatus.FORBIDDEN,
    HTTPStatus.UNPROCESSABLE_ENTITY,
    HTTPStatus.TOO_MANY_REQUESTS,
    HTTPStatus.SERVICE_UNAVAILABLE,
)


def documented(
    *errors: HTTPStatus, ok: HTTPStatus = HTTPStatus.OK, model: Any = None
) -> dict[int, dict]:
    """A /v1 route's responses for the OpenAPI document: its success body as ``model``
    describes it (a pydantic model; no body for 204), or the error shape.

    Generated clients are built from the models, and schemathesis checks real answers
    against them (tests/integration/test_api_schema.py)."""
    json = content_types.APPLICATION_JSON
    success: dict = {"description": ok.phrase}
    if ok != HTTPStatus.NO_CONTENT:
        success["content"] = {
            json: {"model": model} if model is not None else {"schema": {"type": "object"}}
        }
    answers: dict[int, dict] = {ok.value: success}
    for status in (*_V1_ERRORS, *errors):
        answers[status.value] = {
            "description": status.phrase,
            "content": {json: {"schema": ERROR_SCHEMA}},
        }
    return answers
