"""`$connect` of the WebSocket API: record whose the new connection is.

The principal comes from the authorizer's verified claims; a push later asks it whether the
socket's user may see a session (usecases/session_push.py).
"""

from __future__ import annotations

import uuid
from typing import Protocol

from coaching.domain.errors import Unauthenticated
from coaching.domain.identity import Principal
from coaching.ports.sockets import SocketConnection, SocketConnections


class Organizations(Protocol):
    def organization_exists(self, org: uuid.UUID) -> bool: ...


def connect_socket(
    connections: SocketConnections,
    organizations: Organizations,
    principal: Principal,
    connection_id: str,
) -> SocketConnection:
    """Registers the connection for its user; Unauthenticated if their organization is not on
    record (a verified token can still name one: deleted, or an account set up wrongly)."""
    if not organizations.organization_exists(principal.organization_id):
        raise Unauthenticated("The request carries no valid sign-in.", hint="Sign in again.")
    connection = SocketConnection(connection_id, principal)
    connections.add(connection)
    return connection
