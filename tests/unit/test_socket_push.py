"""Pushes to the coach's sockets: the API Gateway management API adapter (botocore Stubber),
the DynamoDB connections table (Stubber), and what the saga's last steps push."""

from __future__ import annotations

import json
import logging
import uuid

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber

from coaching.adapters.aws.dynamodb_connections import DynamoDbConnections
from coaching.adapters.aws.socket_push import ApiGatewaySocketPush, NoSocketPush
from coaching.domain.errors import TransientError
from coaching.usecases.compensate import compensate
from coaching.usecases.notify_coach import notify_coach
from coaching.usecases.pipeline_input import PipelineInput
from tests.unit.test_failed_prefix import (
    ORG,
    SESSION,
    FakeMailer,
    FakeSockets,
    FakeStore,
    MemoryObjects,
    deps,
    failed,
)

OTHER_ORG = uuid.UUID("00000000-0000-4000-8000-0000000000ff")
MESSAGE = {"type": "session_failed", "session_id": str(SESSION)}


class MemoryConnections:
    def __init__(self, by_org: dict[uuid.UUID, list[str]] | None = None) -> None:
        self.by_org = {org: list(ids) for org, ids in (by_org or {}).items()}

    def add(self, org, connection_id):
        self.by_org.setdefault(org, []).append(connection_id)

    def remove(self, connection_id):
        for ids in self.by_org.values():
            if connection_id in ids:
                ids.remove(connection_id)

    def of(self, org):
        return list(self.by_org.get(org, []))


def management_client():
    return boto3.client(
        "apigatewaymanagementapi",
        endpoint_url="https://abc123.execute-api.us-east-1.amazonaws.com/prod",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106
    )


def expect_post(stubber: Stubber, connection_id: str, error_code: str | None = None) -> None:
    params = {"ConnectionId": connection_id, "Data": json.dumps(MESSAGE).encode("utf-8")}
    if error_code is None:
        stubber.add_response("post_to_connection", {}, params)
    else:
        status = 410 if error_code == "GoneException" else 403
        stubber.add_client_error(
            "post_to_connection", error_code, http_status_code=status, expected_params=params
        )


def test_a_push_reaches_every_connection_of_the_organization_only():
    # Given two open connections of the organization and one of another
    connections = MemoryConnections({ORG: ["a", "b"], OTHER_ORG: ["x"]})
    client = management_client()
    with Stubber(client) as stubber:
        expect_post(stubber, "a")
        expect_post(stubber, "b")
        # When a message is pushed to the organization
        delivered = ApiGatewaySocketPush(connections, client).push(ORG, MESSAGE)
        # Then each of its connections got the JSON, and no other
        stubber.assert_no_pending_responses()
    assert delivered == 2
    assert connections.of(ORG) == ["a", "b"]


def test_a_gone_connection_is_forgotten_and_the_others_still_get_it():
    connections = MemoryConnections({ORG: ["gone", "open"]})
    client = management_client()
    with Stubber(client) as stubber:
        expect_post(stubber, "gone", "GoneException")
        expect_post(stubber, "open")
        delivered = ApiGatewaySocketPush(connections, client).push(ORG, MESSAGE)
        stubber.assert_no_pending_responses()
    assert delivered == 1
    assert connections.of(ORG) == ["open"]


def test_other_errors_are_logged_kept_and_never_raised(caplog):
    connections = MemoryConnections({ORG: ["denied"]})
    client = management_client()
    with Stubber(client) as stubber, caplog.at_level(logging.WARNING):
        expect_post(stubber, "denied", "ForbiddenException")
        delivered = ApiGatewaySocketPush(connections, client).push(ORG, MESSAGE)
    assert delivered == 0
    assert connections.of(ORG) == ["denied"]  # not gone: kept for the next push
    assert "denied" in caplog.text and "ForbiddenException" in caplog.text


def test_an_unreachable_endpoint_is_logged_not_raised(caplog):
    class Unreachable:
        def post_to_connection(self, **_):
            raise EndpointConnectionError(endpoint_url="http://127.0.0.1:8000")

    with caplog.at_level(logging.WARNING):
        delivered = ApiGatewaySocketPush(MemoryConnections({ORG: ["a"]}), Unreachable()).push(
            ORG, MESSAGE
        )
    assert delivered == 0
    assert "could not push to connection a" in caplog.text


def test_a_failing_connections_store_is_logged_and_counts_zero(caplog):
    class Broken(MemoryConnections):
        def of(self, org):
            raise TransientError("The database is unavailable, retrying later.")

    with caplog.at_level(logging.WARNING):
        assert ApiGatewaySocketPush(Broken(), management_client()).push(ORG, MESSAGE) == 0
    assert "could not push session_failed" in caplog.text


def test_nothing_is_pushed_when_no_websocket_api_is_configured():
    assert NoSocketPush().push(ORG, MESSAGE) == 0


# -- DynamoDB connections ------------------------------------------------------------------
def dynamodb():
    return boto3.client(
        "dynamodb",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106
    )


def test_dynamodb_connections_add_list_by_organization_and_remove():
    client = dynamodb()
    table = DynamoDbConnections(client, "connections")
    scan = {
        "TableName": "connections",
        "FilterExpression": "organization_id = :org",
        "ExpressionAttributeValues": {":org": {"S": str(ORG)}},
        "ProjectionExpression": "connection_id",
    }
    with Stubber(client) as stubber:
        stubber.add_response(
            "put_item",
            {},
            {
                "TableName": "connections",
                "Item": {"connection_id": {"S": "a"}, "organization_id": {"S": str(ORG)}},
            },
        )
        stubber.add_response(
            "scan",
            {
                "Items": [{"connection_id": {"S": "a"}}],
                "LastEvaluatedKey": {"connection_id": {"S": "a"}},
            },
            scan,
        )
        stubber.add_response(
            "scan",
            {"Items": [{"connection_id": {"S": "b"}}]},
            {**scan, "ExclusiveStartKey": {"connection_id": {"S": "a"}}},
        )
        stubber.add_response(
            "delete_item", {}, {"TableName": "connections", "Key": {"connection_id": {"S": "a"}}}
        )
        table.add(ORG, "a")
        assert table.of(ORG) == ["a", "b"]
        table.remove("a")
        stubber.assert_no_pending_responses()


def test_dynamodb_errors_become_domain_errors():
    client = dynamodb()
    with Stubber(client) as stubber:
        stubber.add_client_error(
            "scan", "ProvisionedThroughputExceededException", http_status_code=400
        )
        with pytest.raises(TransientError):
            DynamoDbConnections(client, "connections").of(ORG)


# -- what the saga pushes -------------------------------------------------------------------
def test_compensation_pushes_session_failed_after_the_email():
    sockets = FakeSockets()
    mailer = FakeMailer()
    key = f"transcripts/{ORG}/{SESSION}/a.vtt"
    dependencies = deps(MemoryObjects({key: b"x"}), mailer=mailer)
    dependencies = type(dependencies)(**{**dependencies.__dict__, "sockets": sockets})
    result = compensate(dependencies, failed(key))
    assert len(mailer.sent) == 1
    assert sockets.pushed == [
        (
            ORG,
            {
                "type": "session_failed",
                "session_id": str(SESSION),
                "failed_step": "ValidateAndStore",
                "reason": result["reason"],
            },
        )
    ]


def test_notify_coach_pushes_session_ready_with_the_number_of_clients():
    class Store(FakeStore):
        def load_client_analyses(self, org, session_id):
            return {"Jordan Reyes": {}, "Priya Nair": {}}

    sockets = FakeSockets()
    dependencies = deps(MemoryObjects(), store=Store())
    dependencies = type(dependencies)(**{**dependencies.__dict__, "sockets": sockets})
    step = PipelineInput(
        organization_id=ORG, session_id=SESSION, transcript_key="k", source_name="a.vtt"
    )
    notify_coach(dependencies, step)
    assert sockets.pushed == [
        (ORG, {"type": "session_ready", "session_id": str(SESSION), "clients": 2})
    ]
