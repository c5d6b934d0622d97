"""Pushing messages to the coach's open WebSocket connections."""

from __future__ import annotations

import uuid
from typing import Protocol


class SocketConnections(Protocol):
    """Which WebSocket connections are open, per organization (DynamoDB, or PostgreSQL)."""

    def add(self, org: uuid.UUID, connection_id: str) -> None: ...

    def remove(self, connection_id: str) -> None: ...

    def of(self, org: uuid.UUID) -> list[str]: ...


class CoachSockets(Protocol):
    def push(self, org: uuid.UUID, message: dict) -> int:
        """Sends `message` as JSON to every open connection of `org`; returns how many got it.

        Never raises: a gone connection is forgotten, any other failure is logged and counts
        as not delivered. A push must never fail a saga step.
        """
        ...
