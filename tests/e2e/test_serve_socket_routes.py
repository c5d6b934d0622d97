"""The coach's side of the loop through real sockets against `coach serve` (issue 12): a coach
subscribes and sees every step of their transcript being processed, refines a summary over
the socket (revision with diff, undo, a stale revision refused), approves and sends over REST
- one `.eml` in the outbox however often the send is asked for - while another coach's
subscribed socket sees none of it."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from coaching.usecases.pipeline_steps import PIPELINE_STEPS
from tests.e2e.serve_harness import DEADLINE_SECONDS, ServeProcess, running_server
from tests.e2e.test_serve import _variant_of_sample

pytestmark = pytest.mark.e2e

COACH_A = "coach@example.com"  # the demo coach: the drop folder's sessions are theirs
COACH_B = "coach.b@example.com"
COACH_B_PASSWORD = "coach b's long password"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServeProcess]:
    with running_server(tmp_path_factory.mktemp("coach-socket-routes"), sample_done=True) as serve:
        yield serve


@pytest.fixture(scope="module")
def tokens(server) -> dict[str, str]:
    added = server.coach(
        "users", "add", COACH_B, "--name", "Ravi Shah", "--role", "coach",
        COACH_NEW_USER_PASSWORD=COACH_B_PASSWORD,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    return {"A": server.sign_in(COACH_A), "B": server.sign_in(COACH_B, COACH_B_PASSWORD)}


@pytest.fixture
def screens(server, tokens) -> Iterator[dict[str, ClientConnection]]:
    with contextlib.ExitStack() as stack:
        yield {
            who: stack.enter_context(
                connect(f"ws://127.0.0.1:{server.port}/ws?token={token}", open_timeout=10)
            )
            for who, token in tokens.items()
        }


def ask(socket: ClientConnection, server: ServeProcess, frame: dict) -> dict:
    """Sends ``frame`` and returns the answer with its id (pushes before it are skipped)."""
    socket.send(json.dumps(frame))
    return until(socket, server, lambda m: m.get("id") == frame["id"])


def until(socket: ClientConnection, server: ServeProcess, wanted, seen=None) -> dict[str, Any]:
    """The first message ``wanted`` accepts, within the deadline; ``seen`` keeps all read."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = json.loads(socket.recv(timeout=left))
        except (TimeoutError, ConnectionClosed):
            break
        if seen is not None:
            seen.append(message)
        if wanted(message):
            return message
    pytest.fail(f"no such message within {DEADLINE_SECONDS:.0f}s:\n{server.stderr[-4000:]}")


def nothing_pushed_before_now(socket: ClientConnection, server: ServeProcess) -> None:
    """A ping's pong is the next message unless something was pushed to this socket before."""
    request_id = f"barrier-{uuid.uuid4()}"
    socket.send(json.dumps({"action": "ping", "id": request_id}))
    message = json.loads(socket.recv(timeout=DEADLINE_SECONDS))
    assert message == {"type": "pong", "id": request_id}, f"a push reached this screen: {message}"


def test_a_socket_opens_with_a_token_and_never_without(server, tokens):
    with connect(f"ws://127.0.0.1:{server.port}/ws?token={tokens['A']}", open_timeout=10) as ok:
        ok.send(json.dumps({"action": "ping", "id": 1}))
        assert json.loads(ok.recv(timeout=DEADLINE_SECONDS)) == {"type": "pong", "id": 1}
    with pytest.raises(InvalidStatus) as refused:
        connect(f"ws://127.0.0.1:{server.port}/ws", open_timeout=10).close()
    assert refused.value.response.status_code == 401


def test_subscribe_refine_approve_and_send_exactly_once(server, tokens, screens):
    socket, other = screens["A"], screens["B"]
    # Given coach A and coach B both subscribed to every session they may see
    for who, screen in screens.items():
        answer = ask(screen, server, {"action": "subscribe", "id": f"sub-{who}"})
        assert answer == {"type": "subscribed", "id": f"sub-{who}", "session_id": None}
    # When a transcript of coach A's is processed, A sees every step of it
    session_id = every_step_seen(socket, server, "socket-routes.vtt")
    # When A refines a summary over the socket: a revision with its diff, undo, stale refused
    summary = refined_over_the_socket(socket, server, tokens["A"], session_id)
    # When A approves over REST and sends, three times over: one email
    approve_and_send_thrice(server, tokens["A"], summary)
    # And coach B's subscribed screen saw none of it: no step, no revision, no outcome
    nothing_pushed_before_now(other, server)


def every_step_seen(socket: ClientConnection, server: ServeProcess, name: str) -> str:
    """Drops a transcript; the steps ``socket`` saw of its session, checked. Its session id."""
    (server.dropbox / name).write_bytes(_variant_of_sample(name))
    seen: list[dict] = []
    session_id = until(socket, server, lambda m: m.get("type") == "session_ready", seen)[
        "session_id"
    ]
    last = ("step_finished", "NotifyCoach")
    until(socket, server, lambda m: (m.get("type"), m.get("step")) == last, seen)
    steps = [
        (m["type"], m["step"]) for m in seen if m.get("session_id") == session_id and "step" in m
    ]
    every_step = {step.name for step in PIPELINE_STEPS} - {"Compensate"}
    assert {step for _, step in steps} == every_step
    for step in every_step:  # each started, then finished
        started = steps.index(("step_started", step))
        assert ("step_finished", step) in steps[started:], step
    assert steps[0] == ("step_started", "ValidateAndStore")
    assert steps[-1] == last
    return session_id


def refined_over_the_socket(
    socket: ClientConnection, server: ServeProcess, token: str, session_id: str
) -> dict:
    """A summary of the session, refined (revision 1), undone (2), a stale request refused."""
    summaries = httpx.get(
        f"http://127.0.0.1:{server.port}/v1/sessions/{session_id}/summaries",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ).json()["items"]
    summary = next(item for item in summaries if item["wins"])

    def refine(message: str, revision: int, request_id: str) -> dict:
        frame = {
            "action": "refine",
            "id": request_id,
            "summary_id": summary["id"],
            "message": message,
            "expected_revision": revision,
        }
        return ask(socket, server, frame)

    removed = refine("remove win 1", 0, "r1")
    assert "error" not in removed, removed
    assert (removed["type"], removed["summary"]["revision"]) == ("refined", 1)
    assert removed["diff"][0]["change"] == "removed"
    assert removed["summary"]["wins"] == summary["wins"][1:]
    undone = refine("undo", 1, "r2")
    assert undone["summary"]["revision"] == 2
    assert undone["summary"]["wins"] == summary["wins"]
    stale = refine("shorter", 1, "r3")
    assert (stale["id"], stale["error"]["code"]) == ("r3", "COACH_409")
    return summary


def approve_and_send_thrice(server: ServeProcess, token: str, summary: dict) -> None:
    """Approves revision 2 over REST, gives the client an address, sends twice over REST (a
    double click) and once more from the CLI (a retry): exactly one `.eml` in the outbox."""
    base, headers = f"http://127.0.0.1:{server.port}", {"Authorization": f"Bearer {token}"}
    approved = httpx.post(
        f"{base}/v1/summaries/{summary['id']}/approve",
        headers=headers,
        json={"expected_revision": 2},
        timeout=30,
    )
    assert approved.status_code == 200, approved.text
    follow_up_id = approved.json()["follow_up"]["id"]
    client = httpx.get(f"{base}/v1/clients/{summary['client_id']}", headers=headers, timeout=30)
    assert client.status_code == 200, client.text
    record = {"name": client.json()["name"], "status": "active", "email": "client@example.net"}
    address = httpx.put(
        f"{base}/v1/clients/{summary['client_id']}", headers=headers, json=record, timeout=30
    )
    assert address.status_code == 200, address.text
    outbox = server.home / "outbox"
    before = set(outbox.glob("*.eml")) if outbox.exists() else set()
    for _ in range(2):
        sent = httpx.post(f"{base}/v1/follow-ups/{follow_up_id}/send", headers=headers, timeout=30)
        assert sent.status_code == 200, sent.text
        assert sent.json()["status"] == "sent"
    retried = server.coach("follow-ups", "send", follow_up_id)
    assert retried.returncode == 0, retried.stderr
    assert len(set(outbox.glob("*.eml")) - before) == 1
