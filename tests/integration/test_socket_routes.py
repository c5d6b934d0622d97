"""The WebSocket API's message routes as Lambda functions, with the sample events of
`events/` and the local runtime's stores: `$default` (the heartbeat, unknown actions, error
frames), `subscribe` and `refine`. The caller is whose the connection is (recorded at
`$connect`), never what a message says; every answer and error frame echoes the request's id."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from coaching.adapters.local.lambda_context import LocalLambdaContext
from coaching.adapters.postgres import PostgresSocketConnections
from coaching.adapters.postgres.shared_transaction import joined_transaction
from coaching.adapters.postgres.token_revocations import PostgresTokenRevocations
from coaching.domain.identity import Principal, Role
from coaching.ports.review import FreeFormRefinement
from coaching.ports.sockets import SocketConnection, Subscription
from coaching.usecases.session_push import SessionPush
from functions.socket_default.handler import lambda_handler as default
from functions.socket_refine.handler import lambda_handler as refine
from functions.socket_subscribe.handler import lambda_handler as subscribe
from tests.api_calls import request
from tests.lambda_events import load_event
from tests.local_ports import ports
from tests.review_data import Reviewed, add_coach, audit_trail, reviewed_session

pytestmark = pytest.mark.integration

HANDLERS = {"$default": default, "subscribe": subscribe, "refine": refine}


def send(route: str, connection_id: str, body: Any, *, with_ports=None) -> dict:
    """The frame the route answers ``body`` with (a dict is sent as JSON)."""
    event = load_event({"$default": "socket_default"}.get(route, f"socket_{route}"))
    event["requestContext"]["connectionId"] = connection_id
    event["body"] = body if isinstance(body, str) else json.dumps(body)
    name = f"socket_{route.strip('$')}"
    context = LocalLambdaContext(name, f"arn:aws:lambda:us-east-1:123456789012:function:{name}")
    answer = HANDLERS[route](event, context, ports=with_ports or ports())
    assert answer["statusCode"] == 200  # the connection stays open, whatever the answer
    return json.loads(answer["body"])


@pytest.fixture
def connect(platform) -> Iterator:
    """Registers connections as `$connect` does; forgets them after the test."""
    opened: list[str] = []

    def connect_as(principal: Principal) -> str:
        connection_id = f"c-{uuid.uuid4()}"
        ports().socket_connections.add(SocketConnection(connection_id, principal))
        opened.append(connection_id)
        return connection_id

    yield connect_as
    for connection_id in opened:
        ports().socket_connections.remove(connection_id)


def person(org: uuid.UUID, role: Role = Role.ADMIN, coach_id=None) -> Principal:
    return Principal(user_id=uuid.uuid4(), organization_id=org, role=role, coach_id=coach_id)


def error_of(frame: dict, code: str, request_id: Any = None) -> dict:
    expected = {"error"} if request_id is None else {"id", "error"}
    assert set(frame) == expected, frame
    assert frame.get("id") == request_id
    assert frame["error"]["code"] == code, frame
    assert set(frame["error"]) == {"code", "message", "details"}
    return frame["error"]


# -- $default ---------------------------------------------------------------------------------
def test_a_ping_gets_pong_with_its_id(connect, organization):
    connection = connect(person(organization))
    assert send("$default", connection, {"action": "ping", "id": 7}) == {"type": "pong", "id": 7}
    assert send("$default", connection, {"action": "ping"}) == {"type": "pong"}


def test_an_unknown_action_gets_an_error_frame_listing_the_actions(connect, organization):
    connection = connect(person(organization))
    for message in ({"action": "dance", "id": "a1"}, {"id": "a1"}, {"action": 3, "id": "a1"}):
        error = error_of(send("$default", connection, message), "COACH_400", "a1")
        assert error["details"] == {"actions": ["ping", "subscribe", "refine"]}
        assert "ping, subscribe, refine" in error["message"]


@pytest.mark.parametrize(
    ("body", "code", "request_id"),
    [
        ("hello {", "COACH_400", None),
        ("[1, 2]", "COACH_400", None),
        (json.dumps({"id": "big", "action": "ping", "pad": "x" * 40_000}), "COACH_413", "big"),
        ({"action": "refine", "id": "r9", "summary_id": "nope"}, "COACH_422", "r9"),
        ({"action": "subscribe", "id": "s9", "session_id": 12}, "COACH_422", "s9"),
    ],
    ids=["not JSON", "not an object", "too large", "refine fields", "subscribe fields"],
)
def test_a_message_a_route_cannot_take_gets_an_error_frame_with_its_id(
    connect, organization, body, code, request_id
):
    connection = connect(person(organization))
    route = body.get("action", "$default") if isinstance(body, dict) else "$default"
    error_of(send(route, connection, body), code, request_id)


def test_more_than_the_limit_a_second_gets_429_and_the_next_second_is_open(connect, organization):
    # Given a connection whose store counts by a clock the test moves
    now = [1_800_000_000.25]
    clocked = ports().with_settings(socket_messages_per_second=10)
    clocked.__dict__["socket_connections"] = PostgresSocketConnections(
        ports().database, clock=lambda: now[0]
    )
    connection = connect(person(organization))
    # When it sends 11 messages in one second
    answers = [
        send("$default", connection, {"action": "ping", "id": n}, with_ports=clocked)
        for n in range(11)
    ]
    # Then the first 10 are answered and the 11th is refused with 429, its id echoed
    assert [a["type"] for a in answers[:10]] == ["pong"] * 10
    error = error_of(answers[10], "COACH_429", 10)
    assert error["details"] == {"retry_after_seconds": 1}
    # And in the next second it is answered again
    now[0] += 1
    assert send("$default", connection, {"action": "ping"}, with_ports=clocked) == {"type": "pong"}


def test_a_message_of_a_connection_not_on_record_is_refused_with_401(platform):
    frame = send("subscribe", "c-never-connected", {"action": "subscribe", "id": "s"})
    error_of(frame, "COACH_401", "s")


# -- subscribe --------------------------------------------------------------------------------
@pytest.fixture
def review(platform, organization) -> Reviewed:
    coach = add_coach(organization, "Maya Chen")
    return reviewed_session(platform, organization, coach)


def subscription_of(connection_id: str) -> Subscription | None:
    connection = ports().socket_connections.get(connection_id)
    assert connection is not None
    return connection.subscription


def test_subscribe_follows_every_visible_session_or_one(connect, review):
    # Given the session's coach, connected and not yet subscribed
    coach = connect(person(review.org, Role.COACH, review.coach_id))
    assert subscription_of(coach) is None
    # When they subscribe to all they may see
    answer = send("subscribe", coach, {"action": "subscribe", "id": "s1"})
    assert answer == {"type": "subscribed", "id": "s1", "session_id": None}
    assert subscription_of(coach) == Subscription(None)
    # Or to their session only
    one = {"action": "subscribe", "id": "s2", "session_id": str(review.session_id)}
    answer = send("subscribe", coach, one)
    assert answer == {"type": "subscribed", "id": "s2", "session_id": str(review.session_id)}
    assert subscription_of(coach) == Subscription(review.session_id)


@pytest.mark.parametrize(
    ("who", "code"),
    [("another coach", "COACH_404"), ("support", "COACH_403"), ("no such session", "COACH_404")],
)
def test_subscribe_to_a_session_the_caller_may_not_see_is_refused(connect, review, who, code):
    principal = {
        "another coach": person(review.org, Role.COACH, add_coach(review.org, "Ravi Shah")),
        "support": person(review.org, Role.SUPPORT),
        "no such session": person(review.org, Role.ADMIN),
    }[who]
    connection = connect(principal)
    session_id = uuid.uuid4() if who == "no such session" else review.session_id
    frame = send(
        "subscribe", connection, {"action": "subscribe", "id": 1, "session_id": str(session_id)}
    )
    error_of(frame, code, 1)
    assert subscription_of(connection) is None


# -- refine -----------------------------------------------------------------------------------
class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[tuple[list[str], dict]] = []

    def send(self, connection_ids: list[str], message: dict) -> int:
        self.sent.append((sorted(connection_ids), message))
        return len(connection_ids)


@pytest.fixture
def pushes(platform) -> tuple[Any, RecordingSender]:
    """Ports whose pushes are recorded rather than posted to a server."""
    sender = RecordingSender()
    recorded = ports().with_settings()
    recorded.__dict__["sockets"] = SessionPush(
        ports().socket_connections, ports().directory, sender
    )
    return recorded, sender


def test_refine_answers_the_rest_routes_json_with_the_requests_id(connect, review, pushes):
    recorded, _ = pushes
    jordan = review.summaries()["Jordan Reyes"]
    coach = connect(person(review.org, Role.COACH, review.coach_id))

    def refine_by_socket(message: str, revision: int, request_id: str) -> dict:
        frame = {
            "action": "refine",
            "id": request_id,
            "summary_id": jordan["id"],
            "message": message,
            "expected_revision": revision,
        }
        return send("refine", coach, frame, with_ports=recorded)

    # When the coach asks to remove the first win
    removed = refine_by_socket("remove win 1", 0, "r1")
    # Then the answer is the REST route's JSON, as a "refined" frame with the request's id
    assert {"type", "id", "summary", "diff", "reply"} == set(removed)
    assert (removed["type"], removed["id"]) == ("refined", "r1")
    assert removed["summary"]["revision"] == 1
    assert removed["summary"]["wins"] == jordan["wins"][1:]
    assert [change["change"] for change in removed["diff"]] == ["removed"]
    status, stored = request("GET", f"/v1/summaries/{jordan['id']}", review.claims())
    assert status == 200 and stored == removed["summary"]
    # And undo is a revision too, back to the words before
    undone = refine_by_socket("undo", 1, "r2")
    assert undone["summary"]["revision"] == 2
    assert undone["summary"]["wins"] == jordan["wins"]
    # A stale revision is refused with 409, an unknown request answered with what works
    error_of(refine_by_socket("shorter", 1, "r3"), "COACH_409", "r3")
    unknown = error_of(refine_by_socket("make it sing", 2, "r4"), "COACH_422", "r4")
    assert "What works offline" in unknown["message"]
    # History answers the revisions without making one
    history = refine_by_socket("history", 2, "r5")
    assert [entry["command"] for entry in history["history"]] == ["draft", "refine", "undo"]
    # Every change is audited like REST's, with the revision
    updates = [e for e in audit_trail(review.org, "summary", jordan["id"]) if e[0] == "update"]
    assert [details["revision"] for _, _, details in updates][-2:] == [1, 2]


def test_refine_by_support_or_another_coach_is_refused(connect, review):
    jordan = review.summaries()["Jordan Reyes"]
    frame = {
        "action": "refine",
        "id": "x",
        "summary_id": jordan["id"],
        "message": "shorter",
        "expected_revision": 0,
    }
    support = connect(person(review.org, Role.SUPPORT))
    error_of(send("refine", support, frame), "COACH_403", "x")
    stranger = connect(person(review.org, Role.COACH, add_coach(review.org, "Ravi Shah")))
    error_of(send("refine", stranger, frame), "COACH_404", "x")
    assert review.summaries()["Jordan Reyes"]["revision"] == 0


def test_a_revision_reaches_the_sessions_other_subscribed_screens_of_its_audience(
    connect, review, pushes
):
    recorded, sender = pushes
    org, session = review.org, str(review.session_id)
    other_coach = add_coach(org, "Ravi Shah")
    # Given screens: the refining one (subscribed), the coach's second screen and an admin
    # (subscribed to the session, and to all), one not subscribed, another coach and support
    # (subscribed to all)
    screens = {
        "refining": connect(person(org, Role.COACH, review.coach_id)),
        "second screen": connect(person(org, Role.COACH, review.coach_id)),
        "admin": connect(person(org, Role.ADMIN)),
        "not subscribed": connect(person(org, Role.COACH, review.coach_id)),
        "another coach": connect(person(org, Role.COACH, other_coach)),
        "support": connect(person(org, Role.SUPPORT)),
    }
    ports().socket_connections.subscribe(screens["refining"], Subscription(review.session_id))
    ports().socket_connections.subscribe(screens["second screen"], Subscription(review.session_id))
    for name in ("admin", "another coach", "support"):
        ports().socket_connections.subscribe(screens[name], Subscription(None))
    # When the coach refines a summary
    jordan = review.summaries()["Jordan Reyes"]
    frame = {
        "action": "refine",
        "summary_id": jordan["id"],
        "message": "remove win 1",
        "expected_revision": 0,
    }
    answer = send("refine", screens["refining"], frame, with_ports=recorded)
    # Then the other subscribed screens of its audience are told, with the diff
    ((told, message),) = sender.sent
    assert told == sorted([screens["second screen"], screens["admin"]])
    assert message == {
        "type": "summary_revised",
        "session_id": session,
        "summary_id": jordan["id"],
        "revision": 1,
        "diff": answer["diff"],
    }


def test_a_free_form_request_goes_to_the_refiner_with_no_transaction_open(connect, review):
    # Given a free-form refiner (the OpenAI analyzer's port), watching for an open transaction
    held: list[bool] = []

    class KeepFirstWin:
        def refine(self, content, request, history, evidence):
            held.append(joined_transaction(ports().database, review.org) is not None)
            kept = content.model_copy(update={"wins": content.wins[:1]})
            return FreeFormRefinement(kept, "Kept the first win.")

    refining = ports().with_settings()
    refining.__dict__["review_ports"] = dataclasses.replace(
        ports().review_ports, refiner=KeepFirstWin()
    )
    jordan = review.summaries()["Jordan Reyes"]
    coach = connect(person(review.org, Role.COACH, review.coach_id))
    frame = {
        "action": "refine",
        "id": "f",
        "summary_id": jordan["id"],
        "message": "keep only the first win, please",
        "expected_revision": 0,
    }
    # When the coach asks what the grammar does not know
    answer = send("refine", coach, frame, with_ports=refining)
    # Then the refiner answered it, outside the refinement's shared transaction
    assert (answer["type"], answer["summary"]["revision"]) == ("refined", 1)
    assert answer["summary"]["wins"] == jordan["wins"][:1]
    assert held == [False]


def test_a_connection_opened_before_its_sign_in_ended_is_refused_and_forgotten(connect, review):
    # Given a coach's socket, opened before their sign-in ended (a close at sign-out missed
    # it), and a socket of theirs opened after
    coach = person(review.org, Role.COACH, review.coach_id)
    before = connect(coach)
    opened = ports().socket_connections.get(before)
    assert opened is not None and opened.connected_at is not None
    ended_at = dt.datetime.fromtimestamp(opened.connected_at + 1, dt.UTC)
    # (recorded past the port's wrapper, which would close and forget the socket at once)
    PostgresTokenRevocations(ports().database).revoke_tokens(review.org, coach.user_id, ended_at)
    after = connect(coach)
    with ports().database.transaction(review.org) as conn:
        conn.execute(
            "UPDATE socket_connections SET connected_at = %s WHERE connection_id = %s",
            (ended_at + dt.timedelta(seconds=1), after),
        )
    jordan = review.summaries()["Jordan Reyes"]
    frame = {
        "action": "refine",
        "id": "r",
        "summary_id": jordan["id"],
        "message": "shorter",
        "expected_revision": 0,
    }
    # When the old socket refines or subscribes: 401, nothing stored, the socket forgotten
    error_of(send("refine", before, frame), "COACH_401", "r")
    assert review.summaries()["Jordan Reyes"]["revision"] == 0
    assert ports().socket_connections.get(before) is None
    error_of(send("subscribe", before, {"action": "subscribe", "id": "s"}), "COACH_401", "s")
    # Then the socket opened after the sign-out (a new sign-in) still works
    assert send("subscribe", after, {"action": "subscribe", "id": "s"})["type"] == "subscribed"
    assert send("refine", after, frame)["type"] == "refined"
