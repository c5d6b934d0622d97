"""Lambda: the WebSocket API's `refine` route
(``{"action": "refine", "id", "summary_id", "message", "expected_revision"}``).

Refines the summary as ``POST /v1/summaries/{id}/refine`` does (usecases/refine_summary.py)
and answers the same JSON as a ``refined`` frame with the request's id: the new revision, its
diff against the previous one, a one-line reply (or, for "history", the revisions). A stale
revision is a 409 error frame, a request the offline grammar does not know a 422 listing
what works. The session's other subscribed screens get ``summary_revised``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import coaching.adapters.postgres  # noqa: F401 - every call reads PostgreSQL: load its driver during init
from coaching.api.socket_actions import refine_action
from coaching.api.socket_routes import answer_message
from coaching.composition import lambda_ports
from coaching.observability import logger, tracer

if TYPE_CHECKING:
    from coaching.composition import Ports


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context, ports: Ports | None = None) -> dict:
    """``ports``: another runtime's (`coach serve`'s, a test's); by default this environment's."""
    return answer_message(event, lambda: ports or lambda_ports(), refine_action)
