"""Pushes to WebSocket connections through the API Gateway management API (`@connections`).

The same code runs in both runtimes: locally `coach serve` answers the management API.
"""

from __future__ import annotations

import json
import logging
import uuid

from botocore.exceptions import BotoCoreError, ClientError

from coaching.ports.sockets import SocketConnections

log = logging.getLogger(__name__)


class ApiGatewaySocketPush:
    def __init__(self, connections: SocketConnections, client) -> None:
        self._connections = connections
        self._client = client

    def push(self, org: uuid.UUID, message: dict) -> int:
        try:
            return self._push(org, message)
        except Exception as error:  # noqa: BLE001 - a push must never fail a saga step
            log.warning("could not push %s: %s", message.get("type"), error)
            return 0

    def _push(self, org: uuid.UUID, message: dict) -> int:
        data = json.dumps(message).encode("utf-8")
        delivered = 0
        for connection_id in self._connections.of(org):
            try:
                self._client.post_to_connection(ConnectionId=connection_id, Data=data)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") == "GoneException":
                    self._connections.remove(connection_id)
                else:
                    log.warning("could not push to connection %s: %s", connection_id, error)
                continue
            except BotoCoreError as error:
                log.warning("could not push to connection %s: %s", connection_id, error)
                continue
            delivered += 1
        return delivered


class NoSocketPush:
    """No WebSocket API is configured (COACH_CONNECTIONS_TABLE, COACH_WEBSOCKET_ENDPOINT)."""

    def push(self, org: uuid.UUID, message: dict) -> int:
        log.debug("no WebSocket API configured; not pushing %s", message.get("type"))
        return 0
