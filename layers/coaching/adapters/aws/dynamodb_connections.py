"""Open WebSocket connections, and whose they are, in a DynamoDB table.

One item per open connection (written at `$connect` from the authorizer's verified claims):

    connection_id    S  the key: API Gateway's connection id
    organization_id  S  the user's organization
    user_id          S  the user (the token's `sub`)
    role             S  coach | coach_lead | admin | support
    coach_id         S  the user's coach record; absent when they have none
    ttl              N  epoch seconds after which DynamoDB may drop the item: two hours after
                        `$connect`, API Gateway's longest connection, so a connection whose
                        `$disconnect` never ran does not linger (TTL enabled on `ttl`)

`of(org)` queries the global secondary index ``ORGANIZATION_INDEX`` (partition key
`organization_id`, projecting the owner's attributes; cdk/sockets.py creates it), so a push
reads only its organization's items, never the whole table. A GSI is eventually consistent:
a connection made a moment ago may miss one push, which the coach's email covers. An item
without a user or role (written before they were recorded) is never pushed to: it is
skipped, not guessed.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError

from coaching.adapters.aws.errors import translate
from coaching.domain.identity import Principal, Role
from coaching.ports.sockets import SocketConnection

# API Gateway closes a WebSocket connection after two hours at most.
CONNECTION_LIFETIME_SECONDS = 2 * 60 * 60
# The table's shape, which cdk/sockets.py builds from these names.
CONNECTION_KEY = "connection_id"
ORGANIZATION_ATTRIBUTE = "organization_id"
ORGANIZATION_INDEX = "by_organization"
# What the index carries besides the keys: all a push needs to apply the visibility rule.
OWNER_ATTRIBUTES = ("user_id", "role", "coach_id")
TTL_ATTRIBUTE = "ttl"

log = logging.getLogger(__name__)


class DynamoDbConnections:
    def __init__(self, client, table: str, clock: Callable[[], float] = time.time) -> None:
        self._dynamodb = client
        self._table = table
        self._clock = clock

    def add(self, connection: SocketConnection) -> None:
        try:
            self._dynamodb.put_item(TableName=self._table, Item=self._item(connection))
        except (ClientError, BotoCoreError) as error:
            raise translate(error, "Registering a WebSocket connection") from error

    def _item(self, connection: SocketConnection) -> dict:
        owner = connection.principal
        item = {
            "connection_id": {"S": connection.connection_id},
            "organization_id": {"S": str(owner.organization_id)},
            "user_id": {"S": str(owner.user_id)},
            "role": {"S": owner.role.value},
            "ttl": {"N": str(int(self._clock()) + CONNECTION_LIFETIME_SECONDS)},
        }
        if owner.coach_id is not None:
            item["coach_id"] = {"S": str(owner.coach_id)}
        return item

    def remove(self, connection_id: str) -> None:
        try:
            self._dynamodb.delete_item(
                TableName=self._table, Key={"connection_id": {"S": connection_id}}
            )
        except (ClientError, BotoCoreError) as error:
            raise translate(error, "Forgetting a WebSocket connection") from error

    def of(self, org: uuid.UUID) -> list[SocketConnection]:
        connections: list[SocketConnection] = []
        request = {
            "TableName": self._table,
            "IndexName": ORGANIZATION_INDEX,
            "KeyConditionExpression": "#org = :org",
            "ExpressionAttributeValues": {":org": {"S": str(org)}},
            # `role` and `ttl` are DynamoDB reserved words: every name goes through a placeholder.
            "ProjectionExpression": "#id, #user, #role, #coach",
            "ExpressionAttributeNames": {
                "#org": ORGANIZATION_ATTRIBUTE,
                "#id": CONNECTION_KEY,
                "#user": "user_id",
                "#role": "role",
                "#coach": "coach_id",
            },
        }
        try:
            while True:
                page = self._dynamodb.query(**request)
                connections.extend(
                    connection
                    for item in page.get("Items", [])
                    if (connection := _connection(org, item)) is not None
                )
                if "LastEvaluatedKey" not in page:
                    return connections
                request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except (ClientError, BotoCoreError) as error:
            raise translate(error, "Listing WebSocket connections") from error


def _connection(org: uuid.UUID, item: dict) -> SocketConnection | None:
    connection_id = item["connection_id"]["S"]
    try:
        principal = Principal(
            user_id=uuid.UUID(item["user_id"]["S"]),
            organization_id=org,
            role=Role(item["role"]["S"]),
            coach_id=uuid.UUID(item["coach_id"]["S"]) if "coach_id" in item else None,
        )
    except (KeyError, ValueError):
        log.warning("connection %s has no valid owner recorded; not pushing to it", connection_id)
        return None
    return SocketConnection(connection_id, principal)
