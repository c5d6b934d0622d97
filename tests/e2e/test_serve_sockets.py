"""`coach serve` tells an open screen what happened: a real WebSocket client on /ws gets
`session_failed` for a broken transcript and `session_ready` for a good one, pushed by the
saga through the server's own `@connections` management API (the boto3 client of AWS)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.e2e.serve_harness import DEADLINE_SECONDS, ServeProcess
from tests.e2e.test_serve import SAMPLE_NAME, _variant_of_sample

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServeProcess]:
    serve = ServeProcess(tmp_path_factory.mktemp("coach-sockets"))
    try:
        serve.start()
        # The first start's sample finishes first, so its push does not mix with ours.
        serve.wait_for(lambda: serve.session_named(SAMPLE_NAME, "completed"), "the sample")
        yield serve
    finally:
        serve.stop()


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
        assert refused.value.response.status_code == 403


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
    with connect(f"ws://127.0.0.1:{server.port}/ws?token={token}", open_timeout=10):
        pass

    # When they sign out
    logout = server.call("/v1/auth/logout", refresh_token=server.refresh_tokens.pop(email))
    assert logout.status_code == 204

    # Then that access token gets 401 on REST and is refused on the socket
    rest = httpx.get(
        f"http://127.0.0.1:{server.port}/v1/sessions", headers=server.auth(token), timeout=10
    )
    assert rest.status_code == 401 and rest.json()["error"]["code"] == "COACH_401"
    with pytest.raises(InvalidStatus) as refused:
        connect(f"ws://127.0.0.1:{server.port}/ws?token={token}", open_timeout=10).close()
    assert refused.value.response.status_code == 403
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
