"""Pushing a session's news to the open WebSocket connections of the users who may see it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from coaching.domain.identity import Principal


@dataclass(frozen=True)
class SocketConnection:
    """An open WebSocket connection and whose it is: the user, role and coach of the verified
    claims at `$connect`, so a push can apply the same visibility rule as REST."""

    connection_id: str
    principal: Principal


class SocketConnections(Protocol):
    """Which WebSocket connections are open, and whose (DynamoDB, or PostgreSQL locally)."""

    def add(self, connection: SocketConnection) -> None: ...

    def remove(self, connection_id: str) -> None: ...

    def of(self, org: uuid.UUID) -> list[SocketConnection]: ...


class SocketSender(Protocol):
    """The WebSocket API's `@connections` management API."""

    def send(self, connection_ids: list[str], message: dict[str, Any]) -> int:
        """Sends `message` as JSON to each connection; returns how many got it.

        Never raises: a gone connection is forgotten, any other failure is logged and counts
        as not delivered.
        """
        ...


class CoachSockets(Protocol):
    def push(
        self, org: uuid.UUID, session_coach_id: uuid.UUID | None, message: dict[str, Any]
    ) -> int:
        """Sends `message` about a session of `session_coach_id` (None: a session of no coach)
        to the open connections of `org` whose user may see that session — the REST rule:
        the coach, their lead, the organization's admins; never support. Returns how many got
        it.

        Never raises: a push must never fail a saga step.
        """
        ...
