"""Pushing a session's news to the open WebSocket connections of the users who may see it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from coaching.domain.identity import Principal


@dataclass(frozen=True)
class Subscription:
    """What a connection asked to follow live (the `subscribe` route): the processing steps
    of one session, or (``session_id`` None) of every session its user may see."""

    session_id: uuid.UUID | None = None

    def covers(self, session_id: uuid.UUID) -> bool:
        return self.session_id is None or self.session_id == session_id


@dataclass(frozen=True)
class SocketConnection:
    """An open WebSocket connection and whose it is: the user, role and coach of the verified
    claims at `$connect`, so a push can apply the same visibility rule as REST; and what it
    subscribed to, if anything (a step's news goes to subscribers only); when it was opened
    (epoch seconds, where the store says: a sign-in ended after it ends the connection too)."""

    connection_id: str
    principal: Principal
    subscription: Subscription | None = None
    connected_at: float | None = field(default=None, compare=False)


class SocketConnections(Protocol):
    """Which WebSocket connections are open, and whose (DynamoDB, or PostgreSQL locally)."""

    def add(self, connection: SocketConnection) -> None: ...

    def remove(self, connection_id: str) -> None: ...

    def of(self, org: uuid.UUID) -> list[SocketConnection]: ...

    def subscribed(self, org: uuid.UUID, session_id: uuid.UUID) -> list[SocketConnection]:
        """The connections of ``org`` subscribed to this session's steps (to it, or to all):
        what a step's push reads, so a screen that never subscribed costs it nothing."""
        ...

    def of_user(self, org: uuid.UUID, user_id: uuid.UUID) -> list[SocketConnection]:
        """The open connections of one user of ``org``: what closes when their sign-in ends."""
        ...

    def get(self, connection_id: str) -> SocketConnection | None:
        """The open connection of this id (whose it is: the caller of a message), or None."""
        ...

    def subscribe(self, connection_id: str, subscription: Subscription) -> None:
        """Records what the connection follows from now on (replacing what it followed)."""
        ...

    def take_message(self, connection_id: str, per_second: int) -> bool:
        """Counts one message of the connection in the current second; False once more than
        ``per_second`` came in that second (the message is refused: 429). An unknown
        connection is not counted (True): its message is refused for want of an owner."""
        ...


class SocketSender(Protocol):
    """The WebSocket API's `@connections` management API."""

    def send(self, connection_ids: list[str], message: dict[str, Any]) -> int:
        """Sends `message` as JSON to each connection; returns how many got it.

        Never raises: a gone connection is forgotten, any other failure is logged and counts
        as not delivered.
        """
        ...


class SocketCloser(Protocol):
    """The `@connections` management API's DELETE: the server closes a client's socket."""

    def close(self, connection_ids: list[str]) -> int:
        """Closes each connection and forgets it in the store; returns how many were closed.

        Never raises: a gone connection is forgotten, any other failure is logged.
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

    def push_to_subscribers(
        self,
        org: uuid.UUID,
        session_id: uuid.UUID,
        session_coach: Callable[[], uuid.UUID | None],
        message: dict[str, Any],
        *,
        skip: str | None = None,
    ) -> int:
        """Sends `message` about a session to the connections of its audience (as ``push``)
        that subscribed to it (or to all they may see), but ``skip`` (the connection that
        caused it). ``session_coach``: the session's coach, asked only if someone subscribed.
        Never raises."""
        ...
