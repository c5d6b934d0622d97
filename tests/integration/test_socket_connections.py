"""The local runtime's socket connections: the PostgreSQL store and the local gateway's
WebSocket route and `@connections` management API."""

from __future__ import annotations

import uuid

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from coaching import composition
from coaching.adapters.postgres import PostgresSocketConnections
from local_runtime.sockets import LocalSocketGateway

pytestmark = pytest.mark.integration


@pytest.fixture
def connections(platform) -> PostgresSocketConnections:
    return PostgresSocketConnections(composition.database())


def test_connections_are_listed_per_organization_and_removed(connections, platform):
    # Given two organizations, each with open connections
    first, second = uuid.uuid4(), uuid.uuid4()
    for org in (first, second):
        platform.deps.store.ensure_organization(org, f"test {org}")
    connections.add(first, "first-a")
    connections.add(first, "first-b")
    connections.add(second, "second-a")
    connections.add(first, "first-a")  # the same $connect twice stays one connection
    # Then each organization sees its own only
    assert connections.of(first) == ["first-a", "first-b"]
    assert connections.of(second) == ["second-a"]
    # And a removed one is gone, also when removed twice
    connections.remove("first-a")
    connections.remove("first-a")
    assert connections.of(first) == ["first-b"]
    assert connections.of(uuid.uuid4()) == []
    for connection_id in ("first-b", "second-a"):
        connections.remove(connection_id)


def test_the_local_gateway_registers_pushes_and_forgets_a_socket(connections, organization):
    gateway = LocalSocketGateway(
        connections, lambda _: {"claims": {"custom:organization_id": str(organization)}}
    )
    client = TestClient(Starlette(routes=gateway.routes()), client=("127.0.0.1", 50000))
    with client.websocket_connect("/ws") as socket:
        # $connect registered it for the caller's organization
        (connection_id,) = connections.of(organization)
        # The management API's post arrives as a text message
        response = client.post(f"/@connections/{connection_id}", content=b'{"type": "ping"}')
        assert response.status_code == 200
        assert socket.receive_json() == {"type": "ping"}
        # An unknown connection is gone, as API Gateway says it
        gone = client.post("/@connections/nobody", content=b"{}")
        assert gone.status_code == 410
        assert gone.json() == {"message": "Gone"}
        assert gone.headers["x-amzn-errortype"] == "GoneException"
        # DELETE closes it
        assert client.delete(f"/@connections/{connection_id}").status_code == 204
    # $disconnect forgot it
    assert connections.of(organization) == []
    assert gateway.open_count == 0


def test_the_management_api_refuses_callers_from_other_machines(connections, organization):
    gateway = LocalSocketGateway(
        connections, lambda _: {"claims": {"custom:organization_id": str(organization)}}
    )
    app = Starlette(routes=gateway.routes())
    local = TestClient(app, client=("127.0.0.1", 50000))
    remote = TestClient(app, client=("192.0.2.7", 50000))
    with local.websocket_connect("/ws"):
        (connection_id,) = connections.of(organization)
        refused = remote.post(f"/@connections/{connection_id}", content=b'{"type": "fake"}')
        assert refused.status_code == 403
        assert remote.delete(f"/@connections/{connection_id}").status_code == 403
        assert connections.of(organization) == [connection_id]
