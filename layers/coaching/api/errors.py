"""Domain errors -> HTTP, in one place. One JSON shape; never a stack trace or SQL."""

from __future__ import annotations

from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response, content_types

from coaching.domain.errors import CoachingError, NotFound, PermanentError, TransientError

_STATUS = [
    (NotFound, HTTPStatus.NOT_FOUND),
    (TransientError, HTTPStatus.SERVICE_UNAVAILABLE),
    (PermanentError, HTTPStatus.BAD_REQUEST),
]


def error_response(status: HTTPStatus, code: str, message: str, details=None) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body={"error": {"code": code, "message": message, "details": details or {}}},
    )


def response_for(error: CoachingError) -> Response:
    status = next((s for kind, s in _STATUS if isinstance(error, kind)), HTTPStatus.BAD_REQUEST)
    return error_response(status, error.code, error.user_message())
