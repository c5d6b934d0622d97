"""Lambda: the WebSocket API's `$default` route: a message no other route takes.

Answers the heartbeat (``{"action": "ping"}`` -> ``pong``: API Gateway closes a socket idle
for 10 minutes) and, for anything else, an error frame in the API's one error shape: a
binary, oversized or malformed message, or an action the API does not know (the frame lists
those it does). The connection stays open either way. Every message it takes is counted
against its connection's 10 a second (api/socket_routes.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coaching.api.socket_heartbeat import default_action
from coaching.api.socket_routes import answer_message
from coaching.composition import lambda_ports
from coaching.observability import logger, tracer

if TYPE_CHECKING:
    from coaching.composition import Ports


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context, ports: Ports | None = None) -> dict:
    """``ports``: another runtime's (`coach serve`'s, a test's); by default this environment's."""
    return answer_message(event, lambda: ports or lambda_ports(), default_action)
