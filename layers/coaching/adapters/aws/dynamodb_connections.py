"""Open WebSocket connections in a DynamoDB table: key `connection_id`, attribute
`organization_id`.

`of(org)` scans with a filter for now: the table holds only the open connections of a
small number of coaches. A GSI on `organization_id` replaces the scan when the WebSocket API
construct (CDK, a later issue) creates the table.
"""

from __future__ import annotations

import uuid

from botocore.exceptions import BotoCoreError, ClientError

from coaching.adapters.aws.errors import translate


class DynamoDbConnections:
    def __init__(self, client, table: str) -> None:
        self._dynamodb = client
        self._table = table

    def add(self, org: uuid.UUID, connection_id: str) -> None:
        try:
            self._dynamodb.put_item(
                TableName=self._table,
                Item={"connection_id": {"S": connection_id}, "organization_id": {"S": str(org)}},
            )
        except (ClientError, BotoCoreError) as error:
            raise translate(error, "Registering a WebSocket connection") from error

    def remove(self, connection_id: str) -> None:
        try:
            self._dynamodb.delete_item(
                TableName=self._table, Key={"connection_id": {"S": connection_id}}
            )
        except (ClientError, BotoCoreError) as error:
            raise translate(error, "Forgetting a WebSocket connection") from error

    def of(self, org: uuid.UUID) -> list[str]:
        ids: list[str] = []
        request = {
            "TableName": self._table,
            "FilterExpression": "organization_id = :org",
            "ExpressionAttributeValues": {":org": {"S": str(org)}},
            "ProjectionExpression": "connection_id",
        }
        try:
            while True:
                page = self._dynamodb.scan(**request)
                ids.extend(item["connection_id"]["S"] for item in page.get("Items", []))
                if "LastEvaluatedKey" not in page:
                    return ids
                request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except (ClientError, BotoCoreError) as error:
            raise translate(error, "Listing WebSocket connections") from error
