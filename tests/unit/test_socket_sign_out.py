"""An ended sign-in closes its user's open sockets (usecases/socket_sign_out.py): the store's
query by user (PostgreSQL: tests/integration/test_socket_connections.py; DynamoDB with moto
here) and the management API's DELETE (`@connections`, Stubber)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

import pytest
from botocore.stub import Stubber

from coaching.adapters.aws.dynamodb_connections import DynamoDbConnections
from coaching.adapters.aws.socket_push import ApiGatewaySocketPush
from coaching.domain.identity import Role
from coaching.ports.sockets import SocketConnection, Subscription
from coaching.usecases.socket_sign_out import SocketsClosedOnSignOut
from tests.unit.saga_setup import ORG
from tests.unit.test_socket_push import (
    CONNECTED_AT,
    OTHER_ORG,
    TABLE,
    MemoryConnections,
    dynamodb,  # noqa: F401 - the moto table fixture
    management_client,
    user,
)

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


class Revocations:
    def __init__(self, log: list[str]) -> None:
        self.log = log
        self.revoked: dict[tuple[uuid.UUID, uuid.UUID], dt.datetime] = {}

    def revoke_tokens(self, org: uuid.UUID, user_id: uuid.UUID, issued_before: dt.datetime) -> None:
        self.log.append("revoked")
        self.revoked[(org, user_id)] = issued_before

    def tokens_valid_after(self, org: uuid.UUID, user_id: uuid.UUID) -> dt.datetime | None:
        return self.revoked.get((org, user_id))


class RecordingCloser:
    def __init__(self, connections: MemoryConnections, log: list[str]) -> None:
        self.connections = connections
        self.log = log

    def close(self, connection_ids: list[str]) -> int:
        self.log.append(f"closed {sorted(connection_ids)}")
        for connection_id in connection_ids:
            self.connections.remove(connection_id)
        return len(connection_ids)


SIGNED_OUT = user(Role.COACH, uuid.uuid4())
SAME_ID_OTHER_ORG = SIGNED_OUT.__class__(
    user_id=SIGNED_OUT.user_id, organization_id=OTHER_ORG, role=Role.ADMIN
)


def screens() -> MemoryConnections:
    return MemoryConnections(
        [
            SocketConnection("laptop", SIGNED_OUT),
            SocketConnection("phone", SIGNED_OUT, Subscription()),
            SocketConnection("colleague", user(Role.COACH, uuid.uuid4())),
            SocketConnection("elsewhere", SAME_ID_OTHER_ORG),
        ]
    )


def test_an_ended_sign_in_is_recorded_then_closes_every_socket_of_its_user_only():
    # Given a user with two screens open, a colleague's, and a user of another organization
    log: list[str] = []
    connections = screens()
    revocations = Revocations(log)
    ending = SocketsClosedOnSignOut(
        revocations, lambda: (connections, RecordingCloser(connections, log))
    )
    # When their sign-in ends
    ending.revoke_tokens(ORG, SIGNED_OUT.user_id, NOW)
    # Then the revocation is recorded first, then both their sockets are closed and forgotten
    assert log == ["revoked", "closed ['laptop', 'phone']"]
    assert sorted(c.connection_id for c in connections.connections) == ["colleague", "elsewhere"]
    assert ending.tokens_valid_after(ORG, SIGNED_OUT.user_id) == NOW


def test_without_a_websocket_api_or_sockets_the_sign_out_still_stands():
    log: list[str] = []
    ending = SocketsClosedOnSignOut(Revocations(log), lambda: None)
    ending.revoke_tokens(ORG, SIGNED_OUT.user_id, NOW)
    nobody = MemoryConnections()
    SocketsClosedOnSignOut(
        Revocations(log), lambda: (nobody, RecordingCloser(nobody, log))
    ).revoke_tokens(ORG, SIGNED_OUT.user_id, NOW)
    assert log == ["revoked", "revoked"]  # nothing to close: no DELETE at all


def test_a_failing_store_is_logged_and_the_sign_out_still_stands(caplog):
    class BrokenStore(MemoryConnections):
        def of_user(self, org, user_id):
            raise RuntimeError("table unreachable")

    log: list[str] = []
    revocations = Revocations(log)
    store = BrokenStore()
    with caplog.at_level(logging.WARNING):
        SocketsClosedOnSignOut(
            revocations, lambda: (store, RecordingCloser(store, log))
        ).revoke_tokens(ORG, SIGNED_OUT.user_id, NOW)
    assert revocations.tokens_valid_after(ORG, SIGNED_OUT.user_id) == NOW
    assert "could not close the sockets of an ended sign-in" in caplog.text


# -- the management API's DELETE ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("error_code", "closed"),
    [(None, 1), ("GoneException", 1), ("ForbiddenException", 0)],
    ids=["closed", "gone already", "refused"],
)
def test_closing_deletes_the_connection_and_always_forgets_it(error_code, closed, caplog):
    connections = screens()
    client = management_client()
    with Stubber(client) as stubber, caplog.at_level(logging.WARNING):
        params = {"ConnectionId": "laptop"}
        if error_code is None:
            stubber.add_response("delete_connection", {}, params)
        else:
            status = 410 if error_code == "GoneException" else 403
            stubber.add_client_error(
                "delete_connection", error_code, http_status_code=status, expected_params=params
            )
        count = ApiGatewaySocketPush(connections, client).close(["laptop"])
        stubber.assert_no_pending_responses()
    assert count == closed
    # Forgotten even when the DELETE was refused: no push reaches it, its messages get 401
    assert "laptop" not in [c.connection_id for c in connections.connections]
    assert ("could not close connection laptop" in caplog.text) == (
        error_code == "ForbiddenException"
    )


# -- DynamoDB: a user's connections (moto) -------------------------------------------------------
def test_dynamodb_lists_one_users_connections_of_one_organization(dynamodb):  # noqa: F811
    table = DynamoDbConnections(dynamodb, TABLE, clock=lambda: CONNECTED_AT)
    for connection in screens().connections:
        table.add(connection)  # `add` records the owner; a subscription comes by `subscribe`
    table.subscribe("phone", Subscription())
    mine = sorted(table.of_user(ORG, SIGNED_OUT.user_id), key=lambda c: c.connection_id)
    assert mine == [
        SocketConnection("laptop", SIGNED_OUT),
        SocketConnection("phone", SIGNED_OUT, Subscription()),
    ]
    assert table.of_user(OTHER_ORG, SIGNED_OUT.user_id) == [
        SocketConnection("elsewhere", SAME_ID_OTHER_ORG)
    ]
    assert table.of_user(ORG, uuid.uuid4()) == []


def test_dynamodb_knows_when_a_connection_was_opened_from_its_expiry(dynamodb):  # noqa: F811
    # `get` reads the whole item: `$connect`'s time is its expiry less a connection's lifetime
    table = DynamoDbConnections(dynamodb, TABLE, clock=lambda: CONNECTED_AT)
    table.add(SocketConnection("laptop", SIGNED_OUT))
    opened = table.get("laptop")
    assert opened is not None and opened.connected_at == CONNECTED_AT
