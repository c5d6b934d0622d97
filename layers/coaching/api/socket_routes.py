"""One client message through a WebSocket route: checked, counted, its caller known, answered.

Every route's function (functions/socket_default, socket_subscribe, socket_refine) hands its
event and its own step to ``answer_message``, which answers in frames (api/socket_messages.py):

1. a binary, oversized, not-JSON or not-an-object message: an error frame, before any store
   is read (a flood of junk costs no database call);
2. the message is counted against its connection (10 a second by default, in the connections
   store: API Gateway throttles a stage, not a connection): over it, a 429 error frame;
3. the route's step; the caller is whose the connection is (recorded at `$connect` from the
   authorizer's verified claims), never anything the message says;
4. a domain error becomes an error frame with the status REST would answer (api/errors.py);
   anything else is logged and answered 500 - never a traceback, never a dropped socket.

The route's response (status 200, the frame as body) is what API Gateway sends back to the
client (`return_response` on the route: cdk/sockets.py); `coach serve` sends it the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from coaching.api.errors import status_for
from coaching.api.json_body import parse_json
from coaching.api.socket_messages import RequestId, error_frame, problem_with, request_id_of
from coaching.domain.errors import CoachingError, ContentRejected, Unauthenticated
from coaching.ports.sockets import SocketConnection, SocketConnections

if TYPE_CHECKING:
    from coaching.composition import Ports

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SocketRequest:
    """A message a route takes: a JSON object, counted, from this connection."""

    connection_id: str
    message: dict[str, Any]
    id: RequestId
    source_ip: str | None
    connections: SocketConnections

    def caller(self) -> SocketConnection:
        """Whose the connection is; Unauthenticated (401) if the store no longer has it
        (its two hours are over, or a `$disconnect` raced this message)."""
        connection = self.connections.get(self.connection_id)
        if connection is None:
            raise Unauthenticated(
                "This connection is not signed in.", hint="Open a new connection."
            )
        return connection


# A route's step: this runtime's ports, the request; the answer frame.
Route = Callable[["Ports", SocketRequest], str]


def message_text(event: dict) -> str | None:
    """The message as text; None for a binary frame (API Gateway sends it base64-encoded)."""
    if event.get("isBase64Encoded"):
        return None
    return event.get("body") or ""


def answer_message(event: dict, ports_of: Callable[[], Ports], route: Route) -> dict:
    """The route's response to the message of ``event``: always status 200 and a frame.
    ``ports_of``: this runtime's ports, asked for only once the message is one to count."""
    return {"statusCode": HTTPStatus.OK, "body": _answer(event, ports_of, route)}


def _answer(event: dict, ports_of: Callable[[], Ports], route: Route) -> str:
    request_context = event["requestContext"]
    connection_id = request_context["connectionId"]
    text = message_text(event)
    problem = problem_with(text)
    if problem is not None:
        log.info("message refused", extra={"connection_id": connection_id})
        return problem
    message = parse_json(text or "")
    request_id = request_id_of(message)
    try:
        ports = ports_of()
        per_second = ports.settings.socket_messages_per_second
        if not ports.socket_connections.take_message(connection_id, per_second):
            log.info("message throttled", extra={"connection_id": connection_id})
            return error_frame(
                HTTPStatus.TOO_MANY_REQUESTS,
                f"More than {per_second} messages a second on this connection.",
                request_id,
                {"retry_after_seconds": 1},
            )
        source_ip = (request_context.get("identity") or {}).get("sourceIp")
        request = SocketRequest(
            connection_id, message, request_id, source_ip, ports.socket_connections
        )
        return route(ports, request)
    except Exception as error:  # noqa: BLE001 - every failure is answered as a frame
        return _error_frame_for(error, request_id, connection_id)


def _error_frame_for(error: Exception, request_id: RequestId, connection_id: str) -> str:
    """A domain error as REST answers it (api/errors.py); anything else is logged (never
    the message text) and answered 500."""
    if isinstance(error, ValidationError):
        fields = {"fields": _fields(error.errors())}
        return error_frame(
            HTTPStatus.UNPROCESSABLE_ENTITY, "The message is not valid.", request_id, fields
        )
    if isinstance(error, ContentRejected):
        fields = {"fields": _fields(error.errors)}
        return error_frame(
            HTTPStatus.UNPROCESSABLE_ENTITY, "The request is not valid.", request_id, fields
        )
    if isinstance(error, CoachingError):
        return error_frame(status_for(error), error.user_message(), request_id)
    log.error(
        "socket message failed",
        exc_info=error,
        extra={"connection_id": connection_id},
    )
    return error_frame(
        HTTPStatus.INTERNAL_SERVER_ERROR,
        "Something went wrong on our side. Please try again; if it keeps happening, "
        "contact support.",
        request_id,
    )


def _fields(errors: Any) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(part) for part in error["loc"]), "problem": error["msg"]}
        for error in errors
    ]
