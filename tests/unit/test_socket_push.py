"""Pushes to sockets: who gets a session's news (the REST visibility rule, with fakes), the
API Gateway management API adapter (botocore Stubber), the DynamoDB connections table (moto),
and what the saga's last steps push."""

from __future__ import annotations

import json
import logging
import uuid

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber
from moto import mock_aws

from coaching.adapters.aws.dynamodb_connections import (
    CONNECTION_LIFETIME_SECONDS,
    INDEXED_ATTRIBUTES,
    ORGANIZATION_INDEX,
    DynamoDbConnections,
)
from coaching.adapters.aws.socket_push import ApiGatewaySocketPush, NoSocketPush
from coaching.domain.errors import TransientError, Unauthenticated
from coaching.domain.identity import Principal, Role
from coaching.ports.sockets import SocketConnection, Subscription
from coaching.usecases.compensate import compensate
from coaching.usecases.notify_coach import notify_coach
from coaching.usecases.pipeline_input import PipelineInput
from coaching.usecases.session_push import SessionPush
from coaching.usecases.socket_connect import connect_socket
from tests.fakes import FakeMailer, FakeOrganizations, FakeSockets, MemoryData, MemoryObjects
from tests.unit.saga_setup import COACH, ORG, SESSION, deps, failed, with_clients

OTHER_ORG = uuid.UUID("00000000-0000-4000-8000-0000000000ff")
MESSAGE = {"type": "session_failed", "session_id": str(SESSION)}

# Coaches of ORG: A and the lead L form L's team; B has no lead.
COACH_A, COACH_B, LEAD = (uuid.UUID(int=0xA), uuid.UUID(int=0xB), uuid.UUID(int=0x1EAD))


def user(role: Role, coach_id: uuid.UUID | None = None, org: uuid.UUID = ORG) -> Principal:
    return Principal(user_id=uuid.uuid4(), organization_id=org, role=role, coach_id=coach_id)


class MemoryConnections:
    """SocketConnections in a dict, per organization."""

    def __init__(self, connections: list[SocketConnection] = ()) -> None:
        self.connections: list[SocketConnection] = []
        for connection in connections:
            self.add(connection)

    def add(self, connection: SocketConnection) -> None:
        self.remove(connection.connection_id)
        self.connections.append(connection)

    def remove(self, connection_id: str) -> None:
        self.connections = [c for c in self.connections if c.connection_id != connection_id]

    def of(self, org: uuid.UUID) -> list[SocketConnection]:
        return [c for c in self.connections if c.principal.organization_id == org]

    def of_user(self, org: uuid.UUID, user_id: uuid.UUID) -> list[SocketConnection]:
        return [c for c in self.of(org) if c.principal.user_id == user_id]

    def subscribed(self, org: uuid.UUID, session_id: uuid.UUID) -> list[SocketConnection]:
        # Everything subscribed: SessionPush checks what each subscription covers itself.
        return [c for c in self.of(org) if c.subscription is not None]

    def ids(self, org: uuid.UUID = ORG) -> list[str]:
        return [c.connection_id for c in self.of(org)]


class Teams:
    """Directory: each lead's team (the lead included)."""

    def __init__(self, leads: dict[uuid.UUID, uuid.UUID]) -> None:
        self.leads = leads  # coach -> their lead

    def team_coach_ids(self, org: uuid.UUID, lead_coach_id: uuid.UUID) -> set[uuid.UUID]:
        if org != ORG:
            return set()
        return {lead_coach_id} | {c for c, lead in self.leads.items() if lead == lead_coach_id}


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[tuple[list[str], dict]] = []

    def send(self, connection_ids: list[str], message: dict) -> int:
        self.sent.append((list(connection_ids), message))
        return len(connection_ids)


# -- who gets a session's news ---------------------------------------------------------------
SOCKETS = {
    "coach A": user(Role.COACH, COACH_A),
    "coach B": user(Role.COACH, COACH_B),
    "lead of A": user(Role.COACH_LEAD, LEAD),
    "admin": user(Role.ADMIN),
    "support": user(Role.SUPPORT),
    "coach without a record": user(Role.COACH),
    "another organization's admin": user(Role.ADMIN, org=OTHER_ORG),
}
# The REST rule (usecases/access.py): own sessions, the lead's team, the whole org for admins.
AUDIENCE = {
    COACH_A: {"coach A", "lead of A", "admin"},
    COACH_B: {"coach B", "admin"},
    LEAD: {"lead of A", "admin"},
    None: {"admin"},
}


def session_push() -> tuple[SessionPush, RecordingSender]:
    connections = MemoryConnections(
        [SocketConnection(name, principal) for name, principal in SOCKETS.items()]
    )
    sender = RecordingSender()
    return SessionPush(connections, Teams({COACH_A: LEAD}), sender), sender


@pytest.mark.parametrize("session_coach", list(AUDIENCE), ids=["A", "B", "lead", "no coach"])
def test_a_push_reaches_only_the_sockets_whose_user_may_see_the_session(session_coach):
    # Given sockets of every role, in this organization and another
    push, sender = session_push()
    # When a session of this coach finishes
    delivered = push.push(ORG, session_coach, MESSAGE)
    # Then exactly the users who may see that session over REST got it
    expected = AUDIENCE[session_coach]
    assert sender.sent == [(sorted(expected, key=list(SOCKETS).index), MESSAGE)]
    assert delivered == len(expected)


def test_support_and_other_organizations_never_get_a_push():
    push, sender = session_push()
    for coach in AUDIENCE:
        push.push(ORG, coach, MESSAGE)
    reached = {name for ids, _ in sender.sent for name in ids}
    assert "support" not in reached
    assert "another organization's admin" not in reached
    assert "coach without a record" not in reached


def test_a_connection_listed_under_the_wrong_organization_is_not_trusted():
    class Leaky(MemoryConnections):
        def of(self, org):
            return list(self.connections)  # a store that forgot its filter

    sender = RecordingSender()
    stranger = SocketConnection("stranger", user(Role.ADMIN, org=OTHER_ORG))
    SessionPush(Leaky([stranger]), Teams({}), sender).push(ORG, COACH_A, MESSAGE)
    assert sender.sent == []


def test_nobody_to_tell_sends_nothing():
    sender = RecordingSender()
    only_b = MemoryConnections([SocketConnection("b", user(Role.COACH, COACH_B))])
    assert SessionPush(only_b, Teams({}), sender).push(ORG, COACH_A, MESSAGE) == 0
    assert sender.sent == []


def test_a_failing_connections_store_is_logged_and_counts_zero(caplog):
    class Broken(MemoryConnections):
        def of(self, org):
            raise TransientError("The database is unavailable, retrying later.")

    sender = RecordingSender()
    with caplog.at_level(logging.WARNING):
        assert SessionPush(Broken(), Teams({}), sender).push(ORG, COACH_A, MESSAGE) == 0
    assert "could not push session_failed" in caplog.text
    assert sender.sent == []


# -- what a subscriber gets ------------------------------------------------------------------
STEP = {"type": "step_started", "session_id": str(SESSION), "step": "ParseTranscript"}


def subscribed_push(subscriptions: dict[str, Subscription | None]):
    """SessionPush over SOCKETS, each subscribed as ``subscriptions`` says (absent: not)."""
    connections = MemoryConnections(
        [
            SocketConnection(name, principal, subscriptions.get(name))
            for name, principal in SOCKETS.items()
        ]
    )
    sender = RecordingSender()
    return SessionPush(connections, Teams({COACH_A: LEAD}), sender), sender


def test_a_step_reaches_only_subscribed_sockets_of_the_sessions_audience():
    # Given everyone subscribed to every session they may see, but the admin
    every = {name: Subscription() for name in SOCKETS if name != "admin"}
    push, sender = subscribed_push(every)
    # When a step of coach A's session starts
    delivered = push.push_to_subscribers(ORG, SESSION, lambda: COACH_A, STEP)
    # Then A and their lead got it: not the admin (not subscribed), never B or support
    assert sender.sent == [(["coach A", "lead of A"], STEP)]
    assert delivered == 2


def test_a_subscription_to_one_session_gets_that_sessions_steps_only():
    other_session = uuid.uuid4()
    push, sender = subscribed_push(
        {"coach A": Subscription(SESSION), "lead of A": Subscription(other_session)}
    )
    push.push_to_subscribers(ORG, SESSION, lambda: COACH_A, STEP)
    assert sender.sent == [(["coach A"], STEP)]


def test_the_screen_that_caused_it_is_skipped():
    push, sender = subscribed_push({"coach A": Subscription(), "admin": Subscription()})
    push.push_to_subscribers(ORG, SESSION, lambda: COACH_A, STEP, skip="coach A")
    assert sender.sent == [(["admin"], STEP)]


def test_nobody_subscribed_sends_nothing_and_never_looks_up_the_session():
    push, sender = subscribed_push({})

    def never() -> uuid.UUID:
        raise AssertionError("the session's coach was looked up for nobody")

    assert push.push_to_subscribers(ORG, SESSION, never, STEP) == 0
    assert sender.sent == []


def test_a_failing_lookup_is_logged_and_counts_zero(caplog):
    push, sender = subscribed_push({"admin": Subscription()})

    def broken() -> uuid.UUID:
        raise TransientError("The database is unavailable, retrying later.")

    with caplog.at_level(logging.WARNING):
        assert push.push_to_subscribers(ORG, SESSION, broken, STEP) == 0
    assert "could not push step_started" in caplog.text
    assert sender.sent == []


def test_nothing_is_pushed_when_no_websocket_api_is_configured():
    assert NoSocketPush().push(ORG, COACH_A, MESSAGE) == 0


# -- $connect --------------------------------------------------------------------------------
def organizations_on_record(*known: uuid.UUID) -> FakeOrganizations:
    organizations = FakeOrganizations(MemoryData())
    for org in known:
        organizations.ensure_organization(org, "practice")
    return organizations


def test_connect_records_whose_the_socket_is():
    connections = MemoryConnections()
    lead = user(Role.COACH_LEAD, LEAD)
    connect_socket(connections, organizations_on_record(ORG), lead, "c1")
    assert connections.of(ORG) == [SocketConnection("c1", lead)]


def test_connect_refuses_a_token_of_an_organization_not_on_record():
    connections = MemoryConnections()
    with pytest.raises(Unauthenticated):
        connect_socket(
            connections, organizations_on_record(ORG), user(Role.ADMIN, org=OTHER_ORG), "c1"
        )
    assert connections.connections == []


# -- the management API (sending) --------------------------------------------------------------
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


def coaches(*ids: str) -> MemoryConnections:
    return MemoryConnections([SocketConnection(i, user(Role.COACH, COACH_A)) for i in ids])


def test_send_posts_the_json_to_each_connection_named():
    client = management_client()
    with Stubber(client) as stubber:
        expect_post(stubber, "a")
        expect_post(stubber, "b")
        delivered = ApiGatewaySocketPush(coaches("a", "b", "c"), client).send(["a", "b"], MESSAGE)
        stubber.assert_no_pending_responses()
    assert delivered == 2


def test_a_gone_connection_is_forgotten_and_the_others_still_get_it():
    connections = coaches("gone", "open")
    client = management_client()
    with Stubber(client) as stubber:
        expect_post(stubber, "gone", "GoneException")
        expect_post(stubber, "open")
        delivered = ApiGatewaySocketPush(connections, client).send(["gone", "open"], MESSAGE)
        stubber.assert_no_pending_responses()
    assert delivered == 1
    assert connections.ids() == ["open"]


def test_other_errors_are_logged_kept_and_never_raised(caplog):
    connections = coaches("denied")
    client = management_client()
    with Stubber(client) as stubber, caplog.at_level(logging.WARNING):
        expect_post(stubber, "denied", "ForbiddenException")
        delivered = ApiGatewaySocketPush(connections, client).send(["denied"], MESSAGE)
    assert delivered == 0
    assert connections.ids() == ["denied"]  # not gone: kept for the next push
    assert "denied" in caplog.text and "ForbiddenException" in caplog.text


def test_an_unreachable_endpoint_is_logged_not_raised(caplog):
    class Unreachable:
        def post_to_connection(self, **_):
            raise EndpointConnectionError(endpoint_url="http://127.0.0.1:8000")

    with caplog.at_level(logging.WARNING):
        delivered = ApiGatewaySocketPush(coaches("a"), Unreachable()).send(["a"], MESSAGE)
    assert delivered == 0
    assert "could not push to connection a" in caplog.text


# -- DynamoDB connections (moto) ---------------------------------------------------------------
TABLE = "connections"
CONNECTED_AT = 1_800_000_000


@pytest.fixture
def dynamodb(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        client = boto3.client(
            "dynamodb",
            aws_access_key_id="test",
            aws_secret_access_key="test",  # noqa: S106
        )
        # The table as cdk/sockets.py builds it: keyed by connection, indexed by organization.
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "connection_id", "KeyType": "HASH"}],
            AttributeDefinitions=[
                {"AttributeName": "connection_id", "AttributeType": "S"},
                {"AttributeName": "organization_id", "AttributeType": "S"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": ORGANIZATION_INDEX,
                    "KeySchema": [{"AttributeName": "organization_id", "KeyType": "HASH"}],
                    "Projection": {
                        "ProjectionType": "INCLUDE",
                        "NonKeyAttributes": list(INDEXED_ATTRIBUTES),
                    },
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


def test_dynamodb_keeps_whose_each_connection_is(dynamodb):
    # Given connections of a coach, a lead and an admin, and one of another organization
    table = DynamoDbConnections(dynamodb, TABLE, clock=lambda: CONNECTED_AT)
    coach, lead, admin = user(Role.COACH, COACH_A), user(Role.COACH_LEAD, LEAD), user(Role.ADMIN)
    for connection_id, principal in [
        ("coach", coach),
        ("lead", lead),
        ("admin", admin),
        ("stranger", user(Role.ADMIN, org=OTHER_ORG)),
    ]:
        table.add(SocketConnection(connection_id, principal))
    # When the organization's connections are listed
    listed = sorted(table.of(ORG), key=lambda c: c.connection_id)
    # Then each comes back with its user, role and coach, and no other organization's
    assert listed == [
        SocketConnection("admin", admin),
        SocketConnection("coach", coach),
        SocketConnection("lead", lead),
    ]
    # And a removed one is gone, also when removed twice
    table.remove("coach")
    table.remove("coach")
    assert {c.connection_id for c in table.of(ORG)} == {"admin", "lead"}


def test_dynamodb_items_have_the_documented_shape_and_expire(dynamodb):
    table = DynamoDbConnections(dynamodb, TABLE, clock=lambda: CONNECTED_AT)
    coach, admin = user(Role.COACH, COACH_A), user(Role.ADMIN)
    table.add(SocketConnection("coach", coach))
    table.add(SocketConnection("admin", admin))
    item = dynamodb.get_item(TableName=TABLE, Key={"connection_id": {"S": "coach"}})["Item"]
    assert item == {
        "connection_id": {"S": "coach"},
        "organization_id": {"S": str(ORG)},
        "user_id": {"S": str(coach.user_id)},
        "role": {"S": "coach"},
        "coach_id": {"S": str(COACH_A)},
        "ttl": {"N": str(CONNECTED_AT + CONNECTION_LIFETIME_SECONDS)},
    }
    no_coach = dynamodb.get_item(TableName=TABLE, Key={"connection_id": {"S": "admin"}})["Item"]
    assert "coach_id" not in no_coach


def test_dynamodb_connections_without_an_owner_are_never_pushed_to(dynamodb):
    # Given an item written before connections recorded whose they are
    dynamodb.put_item(
        TableName=TABLE,
        Item={"connection_id": {"S": "old"}, "organization_id": {"S": str(ORG)}},
    )
    # Then it is not listed: nobody can say who may see what through it
    assert DynamoDbConnections(dynamodb, TABLE).of(ORG) == []


def test_dynamodb_lists_every_page_of_a_large_table(dynamodb):
    table = DynamoDbConnections(dynamodb, TABLE)
    for number in range(60):
        table.add(SocketConnection(f"c{number:02d}-{'x' * 1000}", user(Role.ADMIN)))
    # ~60 KB of items, listed in pages of at most 1 MB by DynamoDB, of 25 here
    original_query = dynamodb.query
    pages = []

    def paged_query(**request):
        pages.append(request)
        return original_query(**request, Limit=25)

    dynamodb.query = paged_query
    assert len(table.of(ORG)) == 60
    assert len(pages) >= 3


def test_dynamodb_lists_an_organization_by_querying_its_index_never_scanning(dynamodb):
    # Given connections of two organizations
    table = DynamoDbConnections(dynamodb, TABLE)
    table.add(SocketConnection("ours", user(Role.ADMIN)))
    table.add(SocketConnection("theirs", user(Role.ADMIN, org=OTHER_ORG)))
    calls: list[tuple[str, dict]] = []
    for operation in ("query", "scan"):
        original = getattr(dynamodb, operation)

        def recording(_operation=operation, _original=original, **request):
            calls.append((_operation, request))
            return _original(**request)

        setattr(dynamodb, operation, recording)
    # When one organization's connections are listed
    listed = table.of(ORG)
    # Then one Query on the organization index read them, and nothing scanned the table
    assert [c.connection_id for c in listed] == ["ours"]
    assert [operation for operation, _ in calls] == ["query"]
    request = calls[0][1]
    assert request["IndexName"] == ORGANIZATION_INDEX
    assert request["ExpressionAttributeValues"] == {":org": {"S": str(ORG)}}


def test_dynamodb_knows_a_connections_owner_and_subscription(dynamodb):
    table = DynamoDbConnections(dynamodb, TABLE, clock=lambda: CONNECTED_AT)
    coach = user(Role.COACH, COACH_A)
    table.add(SocketConnection("coach", coach))
    assert table.get("coach") == SocketConnection("coach", coach)
    assert table.get("nobody") is None
    # A subscription to one session, then to all, is what the listing and get say
    table.subscribe("coach", Subscription(SESSION))
    assert table.get("coach") == SocketConnection("coach", coach, Subscription(SESSION))
    assert table.of(ORG) == [SocketConnection("coach", coach, Subscription(SESSION))]
    other_session = uuid.uuid4()
    assert table.subscribed(ORG, SESSION) == [table.get("coach")]
    assert table.subscribed(ORG, other_session) == []
    table.subscribe("coach", Subscription())
    assert table.of(ORG) == [SocketConnection("coach", coach, Subscription())]
    assert table.subscribed(ORG, other_session) == [table.get("coach")]
    assert table.subscribed(OTHER_ORG, other_session) == []
    # A gone connection's subscribe writes nothing (no item without an owner)
    table.subscribe("gone", Subscription())
    assert "Item" not in dynamodb.get_item(TableName=TABLE, Key={"connection_id": {"S": "gone"}})


def test_dynamodb_counts_messages_per_connection_per_second(dynamodb):
    now = [float(CONNECTED_AT)]
    table = DynamoDbConnections(dynamodb, TABLE, clock=lambda: now[0])
    table.add(SocketConnection("a", user(Role.ADMIN)))
    table.add(SocketConnection("b", user(Role.ADMIN)))
    # Three a second: the fourth in the same second is refused, another connection's not
    assert [table.take_message("a", 3) for _ in range(4)] == [True, True, True, False]
    assert table.take_message("b", 3)
    # The next second starts a new window
    now[0] += 1
    assert [table.take_message("a", 3) for _ in range(4)] == [True, True, True, False]
    # An unknown connection is not counted (its message is refused for want of an owner)
    assert table.take_message("nobody", 3)
    assert "Item" not in dynamodb.get_item(TableName=TABLE, Key={"connection_id": {"S": "nobody"}})


def test_dynamodb_errors_become_domain_errors():
    client = boto3.client(
        "dynamodb",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106
    )
    with Stubber(client) as stubber:
        stubber.add_client_error(
            "query", "ProvisionedThroughputExceededException", http_status_code=400
        )
        with pytest.raises(TransientError):
            DynamoDbConnections(client, TABLE).of(ORG)


# -- what the saga pushes -------------------------------------------------------------------
def test_compensation_pushes_session_failed_for_the_sessions_coach_after_the_email():
    sockets = FakeSockets()
    mailer = FakeMailer()
    key = f"transcripts/{ORG}/{SESSION}/a.vtt"
    dependencies = deps(MemoryObjects({key: b"x"}), mailer=mailer, sockets=sockets)
    result = compensate(dependencies, failed(key))
    assert len(mailer.sent) == 1
    assert sockets.pushed == [
        (
            ORG,
            COACH,
            {
                "type": "session_failed",
                "session_id": str(SESSION),
                "failed_step": "ValidateAndStore",
                "reason": result["reason"],
            },
        )
    ]


def test_notify_coach_pushes_session_ready_with_the_number_of_clients():
    sockets = FakeSockets()
    dependencies = with_clients(deps(sockets=sockets), "Jordan Reyes", "Priya Nair")
    step = PipelineInput(
        organization_id=ORG, session_id=SESSION, transcript_key="k", source_name="a.vtt"
    )
    notify_coach(dependencies, step)
    assert sockets.pushed == [
        (ORG, COACH, {"type": "session_ready", "session_id": str(SESSION), "clients": 2})
    ]
