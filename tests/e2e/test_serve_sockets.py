"""`coach serve` tells an open screen what happened: a real WebSocket client on /ws gets
`session_failed` for a broken transcript and `session_ready` for a good one, pushed by the
saga through the server's own `@connections` management API (the boto3 client of AWS) — and
only the screens of users who may see that session get it (the REST visibility rule)."""

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

from coaching.adapters.local.tokens import LocalTokens, signing_key
from tests.e2e.serve_harness import DEADLINE_SECONDS, ServeProcess, running_server
from tests.e2e.test_serve import _variant_of_sample

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServeProcess]:
    # The first start's sample finishes first, so its push does not mix with ours.
    with running_server(tmp_path_factory.mktemp("coach-sockets"), sample_done=True) as serve:
        yield serve


@pytest.fixture
def socket(server) -> Iterator[ClientConnection]:
    url = f"ws://127.0.0.1:{server.port}/ws?token={server.token}"
    with connect(url, open_timeout=10) as client:
        yield client


def test_the_servers_log_never_shows_the_sockets_token(server, socket):
    socket.ping().wait(timeout=10)  # the connection is logged by now
    output = "".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in server.root.glob("serve-*.std*")
    )
    assert "/ws?token=[redacted]" in output
    assert server.token not in output


def test_a_socket_without_a_valid_token_is_refused(server):
    for url in (
        f"ws://127.0.0.1:{server.port}/ws",
        f"ws://127.0.0.1:{server.port}/ws?token=forged.token.value",
    ):
        with pytest.raises(InvalidStatus) as refused:
            connect(url, open_timeout=10).close()
        # 401 in the API's error shape, as REST refuses the same token (issue 9; was 403)
        assert refused.value.response.status_code == 401
        assert json.loads(refused.value.response.body)["error"]["code"] == "COACH_401"


def receive(socket: ClientConnection, server: ServeProcess, wanted) -> dict[str, Any]:
    """The first message that `wanted` accepts, within the deadline (others are skipped)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = json.loads(socket.recv(timeout=left))
        except (TimeoutError, ConnectionClosed):
            break
        if wanted(message):
            return message
    pytest.fail(f"no such message within {DEADLINE_SECONDS:.0f}s:\n{server.stderr[-4000:]}")


def test_a_broken_transcript_pushes_session_failed(server, socket):
    # Given a screen connected to the server
    # When a transcript with a broken timestamp is dropped
    name = "socket-broken.srt"
    (server.dropbox / name).write_text("1\n00:00:01,000 --> nonsense\nhello\n", encoding="utf-8")
    # Then the screen is told that this session failed, at which step and why
    message = receive(socket, server, lambda m: m.get("type") == "session_failed")
    session = server.wait_for(lambda: server.session_named(name, "failed"), f"{name} failed")
    assert message == {
        "type": "session_failed",
        "session_id": session["session_id"],
        "failed_step": "ValidateAndStore",
        "reason": session["failure_reason"],
    }
    assert "invalid timestamp" in message["reason"]


def test_a_good_transcript_pushes_session_ready(server, socket):
    name = "socket-good.vtt"
    (server.dropbox / name).write_bytes(_variant_of_sample(name))
    message = receive(socket, server, lambda m: m.get("type") == "session_ready")
    session = server.wait_for(lambda: server.session_named(name, "completed"), f"{name} done")
    assert message == {"type": "session_ready", "session_id": session["session_id"], "clients": 3}


def test_after_logout_the_token_is_refused_on_rest_and_ws(server):
    # Given the demo coach, who enrolled an authenticator at the first sign-in (printed so
    # at start) and whose token opens a socket
    stdout = (server.root / "serve-1.stdout").read_text(encoding="utf-8")
    assert "requires an authenticator app (MFA)" in stdout and "MFA_SETUP" in stdout
    email = "coach@example.com"
    token = server.sign_in(email)
    assert email in server.authenticators
    with connect(f"ws://127.0.0.1:{server.port}/ws?token={token}", open_timeout=10) as held:
        # When they sign out
        logout = server.call("/v1/auth/logout", refresh_token=server.refresh_tokens.pop(email))
        assert logout.status_code == 204

        # Then the socket they held open is closed by the server (no more pushes, no refining)
        with pytest.raises(ConnectionClosed):
            held.recv(timeout=DEADLINE_SECONDS)

    # And that access token gets 401 on REST and is refused on the socket
    rest = httpx.get(
        f"http://127.0.0.1:{server.port}/v1/sessions", headers=server.auth(token), timeout=10
    )
    assert rest.status_code == 401 and rest.json()["error"]["code"] == "COACH_401"
    with pytest.raises(InvalidStatus) as refused:
        connect(f"ws://127.0.0.1:{server.port}/ws?token={token}", open_timeout=10).close()
    assert refused.value.response.status_code == 401
    # And signing in again (password, then the authenticator's code) works at once
    again = server.sign_in(email)
    assert (
        httpx.get(
            f"http://127.0.0.1:{server.port}/v1/sessions", headers=server.auth(again), timeout=10
        ).status_code
        == 200
    )
    with connect(f"ws://127.0.0.1:{server.port}/ws?token={again}", open_timeout=10):
        pass


# -- who gets a session's news -----------------------------------------------------------------
COACH_B = "coach.b@example.com"
COACH_B_PASSWORD = "coach b's long password"


@pytest.fixture(scope="module")
def screens(server) -> Iterator[dict[str, ClientConnection]]:
    """Open screens of the demo coach (A), another coach (B), A's lead, an admin, support."""
    added = server.coach(
        "users", "add", COACH_B, "--name", "Ravi Shah", "--role", "coach",
        COACH_NEW_USER_PASSWORD=COACH_B_PASSWORD,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    tokens = {
        "coach A": server.sign_in("coach@example.com"),
        "coach B": server.sign_in(COACH_B, COACH_B_PASSWORD),
        "lead of A": server.sign_in("lead@example.com"),
        "admin": server.token,
        "support": server.sign_in("support@example.com"),
    }
    with contextlib.ExitStack() as stack:
        yield {
            name: stack.enter_context(
                connect(f"ws://127.0.0.1:{server.port}/ws?token={token}", open_timeout=10)
            )
            for name, token in tokens.items()
        }


def next_message(socket: ClientConnection, server: ServeProcess) -> dict[str, Any]:
    try:
        return json.loads(socket.recv(timeout=DEADLINE_SECONDS))
    except (TimeoutError, ConnectionClosed):
        pytest.fail(f"no message within {DEADLINE_SECONDS:.0f}s:\n{server.stderr[-4000:]}")


def nothing_pushed_before_now(socket: ClientConnection, server: ServeProcess) -> None:
    """Everything pushed to this socket so far arrives before the answer to a frame it sends
    now: a frame the server cannot take comes back as an error frame, so the first message
    after it shows whether anything was pushed before."""
    socket.send("not JSON, a barrier")
    message = next_message(socket, server)
    assert set(message) == {"error"}, f"a push reached this screen: {message}"
    assert message["error"]["code"] == "COACH_400"


@pytest.mark.parametrize(
    ("outcome", "content"),
    [
        ("session_ready", lambda name: _variant_of_sample(name)),
        ("session_failed", lambda name: f"1\n00:00:01,000 --> nonsense\n{name}\n".encode()),
    ],
    ids=["ready", "failed"],
)
def test_a_session_of_coach_a_reaches_a_their_lead_and_the_admin_only(
    server, screens, outcome, content
):
    # Given screens of coach A, coach B, A's lead, an admin and support, all connected
    # When a session of coach A (the drop folder's coach) finishes
    name = f"matrix-{outcome}.{'vtt' if outcome == 'session_ready' else 'srt'}"
    (server.dropbox / name).write_bytes(content(name))
    # Then A, A's lead and the admin are told, about that session
    told = {who: next_message(screens[who], server) for who in ("coach A", "lead of A", "admin")}
    session = server.wait_for(lambda: server.session_named(name), f"{name} listed")
    for who, message in told.items():
        assert message["type"] == outcome, who
        assert message["session_id"] == session["session_id"], who
    # And coach B and support were not: nothing reached their screens
    nothing_pushed_before_now(screens["coach B"], server)
    nothing_pushed_before_now(screens["support"], server)


def test_a_session_of_coach_b_reaches_b_and_the_admin_but_not_a_or_as_lead(server, screens):
    # Given coach B uploads a transcript of their own
    token = server.sign_in(COACH_B, COACH_B_PASSWORD)
    name = "matrix-coach-b.vtt"
    uploaded = httpx.post(
        f"http://127.0.0.1:{server.port}/v1/sessions",
        headers=server.auth(token),
        files={"transcript": (name, _variant_of_sample(name), "text/vtt")},
        timeout=30,
    )
    assert uploaded.status_code == 202, uploaded.text
    session_id = uploaded.json()["session_id"]
    # Then B and the admin are told
    for who in ("coach B", "admin"):
        message = next_message(screens[who], server)
        assert (message["type"], message["session_id"]) == ("session_ready", session_id), who
    # And nobody else
    for who in ("coach A", "lead of A", "support"):
        nothing_pushed_before_now(screens[who], server)


def test_a_binary_frame_gets_an_error_frame_and_the_socket_stays_usable(server, screens):
    socket = screens["admin"]
    socket.send(b"\x00\x01 binary")
    message = next_message(socket, server)
    assert message["error"]["code"] == "COACH_415"
    assert set(message["error"]) == {"code", "message", "details"}
    socket.send("x" * (64 * 1024))
    assert next_message(socket, server)["error"]["code"] == "COACH_413"
    # Still open: it answers the next frame too
    nothing_pushed_before_now(socket, server)


def test_a_token_of_an_organization_not_on_record_is_refused_with_401(server):
    token = unknown_organization_token(server)
    with pytest.raises(InvalidStatus) as refused:
        connect(f"ws://127.0.0.1:{server.port}/ws?token={token}", open_timeout=10).close()
    assert refused.value.response.status_code == 401
    assert json.loads(refused.value.response.body)["error"]["code"] == "COACH_401"
    assert "Traceback" not in server.stderr


def unknown_organization_token(server: ServeProcess) -> str:
    """A token signed with the server's own key, for an organization it does not have."""
    key = signing_key(None, server.home / "secrets")
    claims = {
        "sub": str(uuid.uuid4()),
        "custom:organization_id": str(uuid.uuid4()),
        "custom:role": "admin",
    }
    return LocalTokens(key).issue_access(claims)
