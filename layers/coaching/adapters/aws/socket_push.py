"""Sends to WebSocket connections through the API Gateway management API (`@connections`).

The same code runs in both runtimes: locally `coach serve` answers the management API.
Which connections get a message is decided before (usecases/session_push.py).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from coaching.ports.sockets import SocketConnections

log = logging.getLogger(__name__)


class ApiGatewaySocketPush:
    """SocketSender and SocketCloser on the management API; forgets a connection API Gateway
    says is gone, and one it closes."""

    def __init__(self, connections: SocketConnections, client) -> None:
        self._connections = connections
        self._client = client

    def send(self, connection_ids: list[str], message: dict[str, Any]) -> int:
        data = json.dumps(message).encode("utf-8")
        return sum(self._send_one(connection_id, data) for connection_id in connection_ids)

    def _send_one(self, connection_id: str, data: bytes) -> bool:
        try:
            self._client.post_to_connection(ConnectionId=connection_id, Data=data)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "GoneException":
                self._forget(connection_id)
            else:
                log.warning("could not push to connection %s: %s", connection_id, error)
            return False
        except BotoCoreError as error:
            log.warning("could not push to connection %s: %s", connection_id, error)
            return False
        return True

    def close(self, connection_ids: list[str]) -> int:
        return sum(self._close_one(connection_id) for connection_id in connection_ids)

    def _close_one(self, connection_id: str) -> bool:
        # Forgotten whatever API Gateway answers: a connection the store no longer has gets
        # no push and its messages are refused (401), even if the DELETE failed.
        closed = True
        try:
            self._client.delete_connection(ConnectionId=connection_id)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "GoneException":
                log.warning("could not close connection %s: %s", connection_id, error)
                closed = False
        except BotoCoreError as error:
            log.warning("could not close connection %s: %s", connection_id, error)
            closed = False
        self._forget(connection_id)
        return closed

    def _forget(self, connection_id: str) -> None:
        try:
            self._connections.remove(connection_id)
        except Exception as error:  # noqa: BLE001 - a push must never fail a saga step
            log.warning("could not forget gone connection %s: %s", connection_id, error)


class NoSocketPush:
    """CoachSockets when no WebSocket API is configured (COACH_CONNECTIONS_TABLE,
    COACH_WEBSOCKET_ENDPOINT): the coach is told by email only."""

    def push(
        self, org: uuid.UUID, session_coach_id: uuid.UUID | None, message: dict[str, Any]
    ) -> int:
        log.debug("no WebSocket API configured; not pushing %s", message.get("type"))
        return 0

    def push_to_subscribers(
        self,
        org: uuid.UUID,
        session_id: uuid.UUID,
        session_coach: Callable[[], uuid.UUID | None],
        message: dict[str, Any],
        *,
        skip: str | None = None,
    ) -> int:
        return self.push(org, None, message)
