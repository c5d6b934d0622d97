"""`coach serve` with two worker processes: requests are answered by both, a push reaches a
socket whatever worker the push lands on, the drop folder's work happens once, and workers
never outlive a parent killed with SIGKILL.

Which process did what is read from the server's log: every line carries its process id.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from tests.e2e.serve_harness import DEADLINE_SECONDS, POLL_SECONDS, ServeProcess, running_server
from tests.e2e.test_serve import _variant_of_sample
from tests.e2e.test_serve_sockets import receive

pytestmark = pytest.mark.e2e

WORKERS = 2
ANSWERING = re.compile(r"\[(\d+)\] coach\.serve worker answering; .* on 127\.0\.0\.1:(\d+)")
PROBE = re.compile(r'\[(\d+)\] uvicorn\.access \S+ - "GET /health\?probe=')
ACCEPTED = re.compile(
    r"\[(\d+)\] uvicorn\.error 127\.0\.0\.1:(\d+)"
    r' - "WebSocket /ws\?token=\[redacted\]" \[accepted\]'
)
# botocore quotes the @ of the management API's path
PUSH = re.compile(r'\[(\d+)\] uvicorn\.access \S+ - "POST /(?:@|%40)connections/[\w-]+\.(\d+) ')
MOST_SOCKETS = 24


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServeProcess]:
    home = tmp_path_factory.mktemp("coach-workers")
    with running_server(home, sample_done=True, workers=WORKERS) as serve:
        yield serve


def workers_answering(server: ServeProcess) -> dict[int, int]:
    """Each answering worker's pid and its own loopback port, once all of them answer."""
    found = {int(pid): int(port) for pid, port in ANSWERING.findall(server.stderr)}
    return found if len(found) == WORKERS else {}


def test_requests_are_answered_by_both_workers(server):
    # Given a server started with two workers
    workers = server.wait_for(lambda: workers_answering(server), "both workers to answer")
    assert server.process is not None and server.process.pid not in workers

    # When requests arrive on connections of their own, several at once
    def probe(number: int) -> int:
        return httpx.get(f"http://127.0.0.1:{server.port}/health?probe={number}").status_code

    def answered_by_both() -> bool:
        with ThreadPoolExecutor(max_workers=8) as pool:
            assert set(pool.map(probe, range(8))) == {200}
        return {int(pid) for pid in PROBE.findall(server.stderr)} == set(workers)

    # Then both workers answer some of them
    server.wait_for(answered_by_both, "requests answered by both workers")


def sockets_on_every_worker(
    server: ServeProcess, stack: contextlib.ExitStack
) -> dict[int, ClientConnection]:
    """Opens sockets until each worker holds one; one socket per worker."""
    server.wait_for(lambda: workers_answering(server), "both workers to answer")
    held: dict[int, ClientConnection] = {}
    for _ in range(MOST_SOCKETS):
        url = f"ws://127.0.0.1:{server.port}/ws?token={server.token}"
        socket = stack.enter_context(connect(url, open_timeout=10))
        socket.ping().wait(timeout=10)  # accepted, and so logged, by now
        client_port = socket.socket.getsockname()[1]
        holders = {int(port): int(pid) for pid, port in ACCEPTED.findall(server.stderr)}
        held.setdefault(holders[client_port], socket)
        if len(held) == WORKERS:
            return held
    pytest.fail(f"{MOST_SOCKETS} sockets all went to one worker")


def test_a_push_reaches_sockets_held_by_either_worker(server):
    with contextlib.ExitStack() as stack:
        # Given sockets of the admin held by each of the two workers
        held = sockets_on_every_worker(server, stack)
        # When the drop folder's pipeline (in the parent) pushes a session's news
        name = "workers-push.vtt"
        (server.dropbox / name).write_bytes(_variant_of_sample(name))
        # Then every socket gets it, whichever worker the push landed on
        for socket in held.values():
            message = receive(socket, server, lambda m: m.get("type") == "session_ready")
            assert message["session_id"] == server.session_named(name)["session_id"]
    # And some push was forwarded: answered first by a worker not holding that socket
    ports = workers_answering(server)
    forwarded = [
        (pid, port) for pid, port in PUSH.findall(server.stderr) if ports[int(pid)] != int(port)
    ]
    assert forwarded, "every push landed on its socket's own worker: nothing was forwarded"


def test_a_dropped_file_is_processed_exactly_once(server):
    # Given two workers answering
    server.wait_for(lambda: workers_answering(server), "both workers to answer")
    # When a transcript is dropped into the folder
    name = "workers-once.vtt"
    (server.dropbox / name).write_bytes(_variant_of_sample(name))
    server.wait_for((server.dropbox / "processed" / name).is_file, f"{name} to be processed")
    # Then it made one session, once, in the parent (the one drop folder watcher)
    session = server.wait_for(lambda: server.session_named(name, "completed"), f"{name} done")
    assert len(server.sessions_named(name)) == 1
    processed = re.findall(rf"\[(\d+)\] coach\.dropbox processed drop {name}", server.stderr)
    assert processed == [str(server.process.pid)]
    assert not (server.dropbox / "failed" / name).exists()
    runs = [e for e in server.executions() if e.get("session_id") == session["session_id"]]
    assert len(runs) == 1, json.dumps(runs)


def _running(pid: int) -> bool:
    """Alive and not a zombie (a dead child waits there until its new parent reaps it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_workers_do_not_outlive_a_parent_killed_with_sigkill(tmp_path):
    server = ServeProcess(tmp_path, workers=WORKERS)
    try:
        # Given a server with two workers answering
        server.start()
        workers = server.wait_for(lambda: workers_answering(server), "both workers to answer")
        # When the parent is killed outright
        server.kill_hard()
        # Then its workers stop too (a bounded poll: the server's own wait needs it running)
        deadline = time.monotonic() + DEADLINE_SECONDS
        while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
        assert not [pid for pid in workers if _running(pid)], server.stderr[-4000:]
    finally:
        server.stop()
