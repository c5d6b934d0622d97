"""The local runtime's socket connections: the PostgreSQL store and the local gateway's
WebSocket route and `@connections` management API."""

from __future__ import annotations

import json
import uuid

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient, WebSocketDenialResponse
from starlette.websockets import WebSocketDisconnect

from coaching.adapters.postgres import PostgresSocketConnections
from coaching.domain.identity import Principal, Role
from coaching.ports.sockets import SocketConnection, Subscription
from local_runtime.sockets import MAX_MESSAGE_BYTES, LocalSocketGateway
from tests.api_calls import claims_for
from tests.local_ports import ports

pytestmark = pytest.mark.integration


@pytest.fixture
def connections(platform) -> PostgresSocketConnections:
    return PostgresSocketConnections(ports().database)


def owner(org: uuid.UUID, role: Role = Role.COACH, coach_id=None) -> Principal:
    return Principal(user_id=uuid.uuid4(), organization_id=org, role=role, coach_id=coach_id)


def ids(connections: PostgresSocketConnections, org: uuid.UUID) -> list[str]:
    return [connection.connection_id for connection in connections.of(org)]


def test_connections_are_listed_per_organization_with_their_owner_and_removed(
    connections, platform
):
    # Given two organizations, each with open connections
    first, second = uuid.uuid4(), uuid.uuid4()
    for org in (first, second):
        platform.deps.organizations.ensure_organization(org, f"test {org}")
    lead = owner(first, Role.COACH_LEAD, uuid.uuid4())
    admin = owner(first, Role.ADMIN)
    connections.add(SocketConnection("first-a", lead))
    connections.add(SocketConnection("first-b", admin))
    connections.add(SocketConnection("second-a", owner(second)))
    connections.add(SocketConnection("first-a", lead))  # the same $connect twice stays one
    # Then each organization sees its own only, each with whose it is
    assert connections.of(first) == [
        SocketConnection("first-a", lead),
        SocketConnection("first-b", admin),
    ]
    assert ids(connections, second) == ["second-a"]
    # And a removed one is gone, also when removed twice
    connections.remove("first-a")
    connections.remove("first-a")
    assert ids(connections, first) == ["first-b"]
    assert connections.of(uuid.uuid4()) == []
    for connection_id in ("first-b", "second-a"):
        connections.remove(connection_id)


def test_a_users_connections_are_listed_in_their_organization_only(connections, platform):
    # Given a user with two screens, a colleague, and the same user id in another organization
    first, second = uuid.uuid4(), uuid.uuid4()
    for org in (first, second):
        platform.deps.organizations.ensure_organization(org, f"test {org}")
    me, colleague = owner(first), owner(first)
    elsewhere = Principal(user_id=me.user_id, organization_id=second, role=Role.ADMIN)
    for connection_id, principal in [
        ("mine-a", me),
        ("mine-b", me),
        ("colleague", colleague),
        ("elsewhere", elsewhere),
    ]:
        connections.add(SocketConnection(connection_id, principal))
    # Then a sign-out of theirs finds their two, never the others
    assert [c.connection_id for c in connections.of_user(first, me.user_id)] == [
        "mine-a",
        "mine-b",
    ]
    assert connections.of_user(second, me.user_id) == [SocketConnection("elsewhere", elsewhere)]
    assert connections.of_user(first, uuid.uuid4()) == []
    for connection_id in ("mine-a", "mine-b", "colleague", "elsewhere"):
        connections.remove(connection_id)


def gateway_for(connections, claims: dict | None) -> LocalSocketGateway:
    return LocalSocketGateway(
        connections,
        lambda _: {"claims": claims} if claims else {},
        ports().organizations,
        ports=ports(),
    )


def test_the_local_gateway_registers_pushes_and_forgets_a_socket(connections, organization):
    claims = claims_for(organization, Role.COACH, coach_id=uuid.uuid4())
    gateway = gateway_for(connections, claims)
    client = TestClient(Starlette(routes=gateway.routes()), client=("127.0.0.1", 50000))
    with client.websocket_connect("/ws") as socket:
        # $connect registered it with its user, role and coach, from the verified claims
        (connection,) = connections.of(organization)
        assert connection.principal == Principal(
            user_id=uuid.UUID(claims["sub"]),
            organization_id=organization,
            role=Role.COACH,
            coach_id=uuid.UUID(claims["custom:coach_id"]),
        )
        connection_id = connection.connection_id
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
    gateway = gateway_for(connections, claims_for(organization, Role.ADMIN))
    app = Starlette(routes=gateway.routes())
    local = TestClient(app, client=("127.0.0.1", 50000))
    remote = TestClient(app, client=("192.0.2.7", 50000))
    with local.websocket_connect("/ws"):
        (connection_id,) = ids(connections, organization)
        refused = remote.post(f"/@connections/{connection_id}", content=b'{"type": "fake"}')
        assert refused.status_code == 403
        assert remote.delete(f"/@connections/{connection_id}").status_code == 403
        assert ids(connections, organization) == [connection_id]


def _error(frame: str) -> dict:
    body = json.loads(frame)
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["message"]
    return body["error"]


def test_a_message_the_socket_cannot_take_gets_an_error_frame_and_it_stays_open(
    connections, organization
):
    gateway = gateway_for(connections, claims_for(organization, Role.ADMIN))
    client = TestClient(Starlette(routes=gateway.routes()), client=("127.0.0.1", 50000))
    with client.websocket_connect("/ws") as socket:
        (connection_id,) = ids(connections, organization)
        cases = {
            "binary": (lambda: socket.send_bytes(b"\x00\x01binary"), "COACH_415"),
            "not JSON": (lambda: socket.send_text("hello {"), "COACH_400"),
            "too large": (
                lambda: socket.send_text(json.dumps({"a": "x" * MAX_MESSAGE_BYTES})),
                "COACH_413",
            ),
            "too deep": (lambda: socket.send_text("[" * 10_000 + "]" * 10_000), "COACH_400"),
        }
        for name, (send, code) in cases.items():
            send()
            assert _error(socket.receive_text())["code"] == code, name
        # Still open and registered: a push arrives after all of that
        client.post(f"/@connections/{connection_id}", content=b'{"type": "ping"}')
        assert socket.receive_json() == {"type": "ping"}


@pytest.mark.parametrize("case", ["no token", "unknown organization", "malformed claims"])
def test_a_refused_socket_gets_401_in_the_error_shape(connections, organization, case):
    claims = {
        "no token": None,
        "unknown organization": claims_for(uuid.uuid4(), Role.ADMIN),
        "malformed claims": {"sub": "not-a-uuid", "custom:organization_id": str(organization)},
    }[case]

    def authorizer(_):
        if claims is None:
            from coaching.domain.errors import Unauthenticated

            raise Unauthenticated("Sign in first: this request has no bearer token.")
        return {"claims": claims}

    gateway = LocalSocketGateway(connections, authorizer, ports().organizations, ports=ports())
    client = TestClient(Starlette(routes=gateway.routes()), client=("127.0.0.1", 50000))
    with pytest.raises(WebSocketDenialResponse) as refused:
        with client.websocket_connect("/ws"):
            pass
    assert refused.value.status_code == 401
    assert refused.value.json()["error"]["code"] == "COACH_401"
    assert refused.value.headers["www-authenticate"] == "Bearer"
    assert connections.of(organization) == []


def test_the_local_gateway_routes_each_message_by_its_action(connections, organization):
    gateway = gateway_for(connections, claims_for(organization, Role.ADMIN))
    client = TestClient(Starlette(routes=gateway.routes()), client=("127.0.0.1", 50000))
    with client.websocket_connect("/ws") as socket:
        # subscribe: its own route, for the socket's owner (the verified claims)
        socket.send_json({"action": "subscribe", "id": "s"})
        assert socket.receive_json() == {"type": "subscribed", "id": "s", "session_id": None}
        (connection,) = connections.of(organization)
        assert connection.subscription is not None
        # refine: its own route (which checks its fields)
        socket.send_json({"action": "refine", "id": "r"})
        refused = socket.receive_json()
        assert (refused["id"], refused["error"]["code"]) == ("r", "COACH_422")
        # anything else: `$default`, the heartbeat or the actions it knows
        socket.send_json({"action": "ping", "id": 1})
        assert socket.receive_json() == {"type": "pong", "id": 1}
        socket.send_json({"action": "dance"})
        assert _error(socket.receive_text())["details"] == {
            "actions": ["ping", "subscribe", "refine"]
        }


def test_a_socket_idle_for_the_idle_time_is_closed_as_api_gateway_closes_it(
    connections, organization
):
    gateway = LocalSocketGateway(
        connections,
        lambda _: {"claims": claims_for(organization, Role.ADMIN)},
        ports().organizations,
        ports=ports(),
        idle_seconds=0.05,  # instead of 10 minutes
    )
    client = TestClient(Starlette(routes=gateway.routes()), client=("127.0.0.1", 50000))
    with client.websocket_connect("/ws") as socket:
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()  # nothing sent: the server closes it
        assert closed.value.code == 1001  # going away
    assert connections.of(organization) == []


def test_the_store_lists_a_sessions_subscribers_only(connections, organization):
    # Given connections subscribed to one session, to all, and not at all
    session, other = uuid.uuid4(), uuid.uuid4()
    for connection_id in ("one", "all", "none"):
        connections.add(SocketConnection(connection_id, owner(organization, Role.ADMIN)))
    connections.subscribe("one", Subscription(session))
    connections.subscribe("all", Subscription())
    # Then a session's subscribers are those of it and those of all, with what they follow
    listed = {
        c.connection_id: c.subscription for c in connections.subscribed(organization, session)
    }
    assert listed == {"one": Subscription(session), "all": Subscription()}
    assert [c.connection_id for c in connections.subscribed(organization, other)] == ["all"]
    assert connections.subscribed(uuid.uuid4(), session) == []
    for connection_id in ("one", "all", "none"):
        connections.remove(connection_id)
