"""What the WebSocket API answers a client's message: nothing for one it takes, an error
frame in the API's one error shape for one it cannot (the connection stays open).

The `$default` route's function (functions/socket_default) and `coach serve`'s `/ws` both
answer through this, so a client sees the same frames from both runtimes.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from coaching.api.errors import error_body
from coaching.api.json_body import JsonTooDeep, parse_json

# API Gateway's WebSocket frame limit: a longer message is refused, not read.
MAX_MESSAGE_BYTES = 32 * 1024


def error_frame(status: HTTPStatus, message: str) -> str:
    return json.dumps(error_body(f"COACH_{status.value}", message))


def problem_with(text: str | None) -> str | None:
    """The error frame for a client's message (``text``; None for a binary frame), or None
    if it is one we take: JSON text within the size and nesting limits."""
    if text is None:
        return error_frame(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "Send JSON as text frames; binary frames are refused.",
        )
    if len(text.encode("utf-8")) > MAX_MESSAGE_BYTES:
        return error_frame(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            f"The message is larger than {MAX_MESSAGE_BYTES // 1024} KB.",
        )
    try:
        parse_json(text)
    except JsonTooDeep as error:
        return error_frame(HTTPStatus.BAD_REQUEST, str(error))
    except ValueError:
        return error_frame(HTTPStatus.BAD_REQUEST, "The message is not valid JSON.")
    return None
