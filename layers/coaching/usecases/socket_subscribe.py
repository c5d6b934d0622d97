"""`subscribe` of the WebSocket API: from now on this connection gets the live processing
steps (and revisions) of the sessions its user may see, or of one of them.

Who may see a session is the REST rule (usecases/access.py): support sees no client data
(403); a session the caller may not see answers 404 exactly like a missing one.
"""

from __future__ import annotations

import uuid

from coaching.domain.errors import NotFound
from coaching.ports.directory import Directory
from coaching.ports.sessions import Sessions
from coaching.ports.sockets import SocketConnection, SocketConnections, Subscription
from coaching.usecases.access import ensure_visible, visibility_for


def subscribe_socket(
    connections: SocketConnections,
    sessions: Sessions,
    directory: Directory,
    caller: SocketConnection,
    session_id: uuid.UUID | None,
) -> Subscription:
    principal = caller.principal
    visibility = visibility_for(principal, directory)  # support: Forbidden
    if session_id is not None:
        record = sessions.get_session(principal.organization_id, session_id)
        if record is None:
            raise NotFound(f"Session {session_id} does not exist.")
        ensure_visible(visibility, record.coach_id, f"Session {session_id}")
    subscription = Subscription(session_id)
    connections.subscribe(caller.connection_id, subscription)
    return subscription
