"""Lambda: the WebSocket API's `subscribe` route (``{"action": "subscribe", "session_id"?}``).

From then on the connection gets the processing steps of the sessions its user may see, as
they run (``step_started``/``step_finished``, then ``session_ready`` or ``session_failed``),
and the revisions others make; with ``session_id``, of that session only (404 if the caller
may not see it). Answers ``{"type": "subscribed", "id", "session_id"}`` or an error frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import coaching.adapters.postgres  # noqa: F401 - a session's audience is read from PostgreSQL: load its driver during init
from coaching.api.socket_actions import subscribe_action
from coaching.api.socket_routes import answer_message
from coaching.composition import lambda_ports
from coaching.observability import logger, tracer

if TYPE_CHECKING:
    from coaching.composition import Ports


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context, ports: Ports | None = None) -> dict:
    """``ports``: another runtime's (`coach serve`'s, a test's); by default this environment's."""
    return answer_message(event, lambda: ports or lambda_ports(), subscribe_action)
