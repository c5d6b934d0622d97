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
    subscription     S  what it follows live (`subscribe`): a session id, or `*` for every
                        session its user may see; absent until it subscribes
    window_second    N  the epoch second of its last message, and
    window_messages  N  how many came in that second (10 a second: API Gateway throttles
                        a stage, not a connection, so the count lives here)

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
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from coaching.adapters.aws.errors import translate
from coaching.domain.identity import Principal, Role
from coaching.ports.sockets import SocketConnection, Subscription

# API Gateway closes a WebSocket connection after two hours at most.
CONNECTION_LIFETIME_SECONDS = 2 * 60 * 60
# The table's shape, which cdk/sockets.py builds from these names.
CONNECTION_KEY = "connection_id"
ORGANIZATION_ATTRIBUTE = "organization_id"
ORGANIZATION_INDEX = "by_organization"
# What the index carries besides the keys: all a push needs to apply the visibility rule,
# and what the connection subscribed to.
OWNER_ATTRIBUTES = ("user_id", "role", "coach_id")
SUBSCRIPTION_ATTRIBUTE = "subscription"
INDEXED_ATTRIBUTES = (*OWNER_ATTRIBUTES, SUBSCRIPTION_ATTRIBUTE)
EVERY_SESSION = "*"
TTL_ATTRIBUTE = "ttl"
_CONDITION_FAILED = "ConditionalCheckFailedException"

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
        return self._query(org)

    def of_user(self, org: uuid.UUID, user_id: uuid.UUID) -> list[SocketConnection]:
        # The organization's index, filtered by DynamoDB to the user's items (a user has a
        # handful of screens; a sign-out is rare: no index of its own).
        return self._query(
            org,
            FilterExpression="#user = :user",
            ExpressionAttributeValues={":user": {"S": str(user_id)}},
        )

    def subscribed(self, org: uuid.UUID, session_id: uuid.UUID) -> list[SocketConnection]:
        # Read from the index, then filtered by DynamoDB: only subscribers come back.
        return self._query(
            org,
            FilterExpression="#sub IN (:every, :session)",
            ExpressionAttributeValues={
                ":every": {"S": EVERY_SESSION},
                ":session": {"S": str(session_id)},
            },
        )

    def _query(self, org: uuid.UUID, **narrowed: Any) -> list[SocketConnection]:
        connections: list[SocketConnection] = []
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": ORGANIZATION_INDEX,
            "KeyConditionExpression": "#org = :org",
            "ExpressionAttributeValues": {":org": {"S": str(org)}},
            # `role` and `ttl` are DynamoDB reserved words: every name goes through a placeholder.
            "ProjectionExpression": "#id, #user, #role, #coach, #sub",
            "ExpressionAttributeNames": {
                "#org": ORGANIZATION_ATTRIBUTE,
                "#id": CONNECTION_KEY,
                "#user": "user_id",
                "#role": "role",
                "#coach": "coach_id",
                "#sub": SUBSCRIPTION_ATTRIBUTE,
            },
        }
        if narrowed:
            request["FilterExpression"] = narrowed["FilterExpression"]
            request["ExpressionAttributeValues"].update(narrowed["ExpressionAttributeValues"])
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

    def get(self, connection_id: str) -> SocketConnection | None:
        item = self._item_of(connection_id)
        if item is None or "organization_id" not in item:
            return None
        return _connection(uuid.UUID(item["organization_id"]["S"]), item)

    def _item_of(self, connection_id: str) -> dict | None:
        try:
            answer = self._dynamodb.get_item(
                TableName=self._table,
                Key={CONNECTION_KEY: {"S": connection_id}},
                ConsistentRead=True,  # a connection made a moment ago is already its caller's
            )
        except (ClientError, BotoCoreError) as error:
            raise translate(error, "Reading a WebSocket connection") from error
        return answer.get("Item")

    def subscribe(self, connection_id: str, subscription: Subscription) -> None:
        followed = str(subscription.session_id) if subscription.session_id else EVERY_SESSION
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key={CONNECTION_KEY: {"S": connection_id}},
                UpdateExpression="SET #sub = :sub",
                ConditionExpression="attribute_exists(#id)",  # never an item for a gone one
                ExpressionAttributeNames={"#sub": SUBSCRIPTION_ATTRIBUTE, "#id": CONNECTION_KEY},
                ExpressionAttributeValues={":sub": {"S": followed}},
            )
        except ClientError as error:
            if _code(error) == _CONDITION_FAILED:
                return  # gone meanwhile: nothing to follow
            raise translate(error, "Subscribing a WebSocket connection") from error
        except BotoCoreError as error:
            raise translate(error, "Subscribing a WebSocket connection") from error

    def take_message(self, connection_id: str, per_second: int) -> bool:
        """Two conditional updates, so concurrent messages never lose a count: the first of a
        new second starts its window; any other adds one while the window has room."""
        second = {"N": str(int(self._clock()))}
        names = {"#id": CONNECTION_KEY, "#second": "window_second", "#count": "window_messages"}
        key = {CONNECTION_KEY: {"S": connection_id}}
        try:
            try:
                self._dynamodb.update_item(
                    TableName=self._table,
                    Key=key,
                    UpdateExpression="SET #second = :second, #count = :one",
                    ConditionExpression="attribute_exists(#id)"
                    " AND (attribute_not_exists(#second) OR #second <> :second)",
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues={":second": second, ":one": {"N": "1"}},
                )
                return True
            except ClientError as error:
                if _code(error) != _CONDITION_FAILED:
                    raise
            try:
                self._dynamodb.update_item(
                    TableName=self._table,
                    Key=key,
                    UpdateExpression="ADD #count :one",
                    ConditionExpression="#second = :second AND #count < :limit",
                    ExpressionAttributeNames={
                        "#second": "window_second",
                        "#count": "window_messages",
                    },
                    ExpressionAttributeValues={
                        ":second": second,
                        ":one": {"N": "1"},
                        ":limit": {"N": str(per_second)},
                    },
                )
                return True
            except ClientError as error:
                if _code(error) != _CONDITION_FAILED:
                    raise
            # Over the limit - or no such connection, whose message is refused for want of
            # an owner instead (the route asks the store whose it is).
            return self._item_of(connection_id) is None
        except (ClientError, BotoCoreError) as error:
            raise translate(error, "Counting a WebSocket message") from error


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _connection(org: uuid.UUID, item: dict) -> SocketConnection | None:
    connection_id = item["connection_id"]["S"]
    try:
        principal = Principal(
            user_id=uuid.UUID(item["user_id"]["S"]),
            organization_id=org,
            role=Role(item["role"]["S"]),
            coach_id=uuid.UUID(item["coach_id"]["S"]) if "coach_id" in item else None,
        )
        subscription = _subscription(item)
    except (KeyError, ValueError):
        log.warning("connection %s has no valid owner recorded; not pushing to it", connection_id)
        return None
    return SocketConnection(connection_id, principal, subscription, _connected_at(item))


def _connected_at(item: dict) -> float | None:
    """`$connect`'s time: the item expires a connection's lifetime after it (the index
    carries no `ttl`: None there)."""
    expires = item.get(TTL_ATTRIBUTE, {}).get("N")
    return None if expires is None else float(expires) - CONNECTION_LIFETIME_SECONDS


def _subscription(item: dict) -> Subscription | None:
    followed = item.get(SUBSCRIPTION_ATTRIBUTE, {}).get("S")
    if followed is None:
        return None
    return Subscription(None if followed == EVERY_SESSION else uuid.UUID(followed))
