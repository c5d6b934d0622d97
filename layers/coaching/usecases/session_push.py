"""A session's news goes to the open sockets of the users who may see that session.

The audience is decided here, by the same rule as every REST route (usecases/access.py):
the session's coach, their coach lead, the organization's admins — never support, and never
another coach. A socket's user is what the verified claims said at `$connect`. A session's
outcome (ready, failed) goes to its whole audience; its live steps and revisions only to
those sockets of it that subscribed (the `subscribe` route).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from coaching.ports.directory import Directory
from coaching.ports.sockets import SocketConnection, SocketConnections, SocketSender
from coaching.usecases.access import may_see_session_of

log = logging.getLogger(__name__)


class SessionPush:
    """CoachSockets: push(org, the session's coach, message) to that session's audience."""

    def __init__(
        self, connections: SocketConnections, directory: Directory, sender: SocketSender
    ) -> None:
        self._connections = connections
        self._directory = directory
        self._sender = sender

    def push(
        self, org: uuid.UUID, session_coach_id: uuid.UUID | None, message: dict[str, Any]
    ) -> int:
        try:
            audience = self.audience(org, session_coach_id)
        except Exception as error:  # noqa: BLE001 - a push must never fail a saga step
            log.warning("could not push %s: %s", message.get("type"), error)
            return 0
        if not audience:
            return 0
        return self._sender.send(audience, message)

    def push_to_subscribers(
        self,
        org: uuid.UUID,
        session_id: uuid.UUID,
        session_coach: Callable[[], uuid.UUID | None],
        message: dict[str, Any],
        *,
        skip: str | None = None,
    ) -> int:
        try:
            subscribers = [
                connection
                for connection in self._connections.subscribed(org, session_id)
                if connection.subscription is not None
                and connection.subscription.covers(session_id)
                and connection.connection_id != skip
            ]
            if not subscribers:  # the common case: nobody watching, no lookup
                return 0
            coach_id = session_coach()
            audience = [
                connection.connection_id
                for connection in subscribers
                if self._may_see(connection, org, coach_id)
            ]
        except Exception as error:  # noqa: BLE001 - a push must never fail a saga step
            log.warning("could not push %s: %s", message.get("type"), error)
            return 0
        if not audience:
            return 0
        return self._sender.send(audience, message)

    def audience(self, org: uuid.UUID, session_coach_id: uuid.UUID | None) -> list[str]:
        """The ids of the open connections whose user may see a session of this coach."""
        return [
            connection.connection_id
            for connection in self._connections.of(org)
            if self._may_see(connection, org, session_coach_id)
        ]

    def _may_see(
        self, connection: SocketConnection, org: uuid.UUID, session_coach_id: uuid.UUID | None
    ) -> bool:
        # The store lists one organization's connections; a row of another is never trusted.
        if connection.principal.organization_id != org:
            return False
        return may_see_session_of(connection.principal, self._directory, session_coach_id)
