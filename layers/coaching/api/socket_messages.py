"""What the WebSocket API answers a client's message: an answer frame for one it takes, an
error frame in the API's one error shape for one it cannot (the connection stays open).

Every route's function (functions/socket_*) and `coach serve`'s `/ws` answer through this,
so a client sees the same frames from both runtimes. A client frame may carry an ``id`` (a
string or a number); the answer or error frame to it carries the same ``id``, so a client
can match answers to requests while pushes arrive in between.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from coaching.api.errors import error_body
from coaching.api.json_body import JsonTooDeep, parse_json

# API Gateway's WebSocket frame limit: a longer message is refused, not read.
MAX_MESSAGE_BYTES = 32 * 1024
# The actions a client may send (`$request.body.action`): the routes, and the heartbeat
# `$default` answers.
ACTIONS = ("ping", "subscribe", "refine")

RequestId = str | int | None


def error_frame(
    status: HTTPStatus, message: str, request_id: RequestId = None, details: Any = None
) -> str:
    """The one error shape; with the request's ``id`` when it had one."""
    body: dict[str, Any] = error_body(f"COACH_{status.value}", message, details)
    if request_id is not None:
        body = {"id": request_id, **body}
    return json.dumps(body)


def answer_frame(kind: str, request_id: RequestId, **content: Any) -> str:
    """``{"type": kind, "id": ..., **content}``: what a route answers its request."""
    frame: dict[str, Any] = {"type": kind}
    if request_id is not None:
        frame["id"] = request_id
    return json.dumps({**frame, **content})


def request_id_of(message: Any) -> RequestId:
    """The frame's ``id``, if it has a usable one (a string or number, not a boolean)."""
    if not isinstance(message, dict):
        return None
    value = message.get("id")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return value


def problem_with(text: str | None) -> str | None:
    """The error frame for a client's message (``text``; None for a binary frame), or None
    if it is one we take: a JSON object within the size and nesting limits."""
    if text is None:
        return error_frame(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "Send JSON as text frames; binary frames are refused.",
        )
    if len(text.encode("utf-8")) > MAX_MESSAGE_BYTES:
        return error_frame(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            f"The message is larger than {MAX_MESSAGE_BYTES // 1024} KB.",
            _id_if_readable(text),
        )
    try:
        message = parse_json(text)
    except JsonTooDeep as error:
        return error_frame(HTTPStatus.BAD_REQUEST, str(error))
    except ValueError:
        return error_frame(HTTPStatus.BAD_REQUEST, "The message is not valid JSON.")
    if not isinstance(message, dict):
        return error_frame(
            HTTPStatus.BAD_REQUEST,
            'A message is a JSON object with an "action": ' + ", ".join(ACTIONS) + ".",
        )
    return None


def unknown_action(request_id: RequestId) -> str:
    return error_frame(
        HTTPStatus.BAD_REQUEST,
        'The message has no "action" the API knows: use one of ' + ", ".join(ACTIONS) + ".",
        request_id,
        {"actions": list(ACTIONS)},
    )


def _id_if_readable(text: str) -> RequestId:
    """An oversized message's ``id``, if it is JSON at all (API Gateway has already bounded
    its size at 128 KB; `coach serve` at its frame limit)."""
    try:
        return request_id_of(parse_json(text))
    except ValueError:
        return None
