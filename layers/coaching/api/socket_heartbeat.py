"""`$default` of the WebSocket API: the heartbeat, and the answer to an unknown action.

API Gateway closes a socket idle for 10 minutes (and any socket after 2 hours; `coach serve`
closes an idle one the same way). A client that wants to stay connected sends
``{"action": "ping"}`` at least every few minutes (answered ``pong``), and reconnects - then
subscribes again - when its socket closes. Kept apart from the routes on client data, so the
`$default` function loads no use case and no database driver.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coaching.api.socket_messages import answer_frame, unknown_action
from coaching.api.socket_routes import SocketRequest

if TYPE_CHECKING:
    from coaching.composition import Ports


def default_action(ports: Ports, request: SocketRequest) -> str:
    """``pong`` to a ping; anything else gets the actions the API knows."""
    if request.message.get("action") == "ping":
        return answer_frame("pong", request.id)
    return unknown_action(request.id)
