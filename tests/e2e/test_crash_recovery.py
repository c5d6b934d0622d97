"""`coach serve` killed with SIGKILL in the middle of a run, then started again.

After the restart the interrupted run is listed as ABORTED, its session is not left
"processing", the transcript ends up processed exactly once (by the drop folder's start-up
scan, or by a redrive when nothing resubmits it) and the original file is kept.

The real command runs as a subprocess on its own home and drop folder; every wait is a
bounded poll, never a fixed sleep.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.e2e

DEADLINE_SECONDS = 60.0
# The interrupted transcript is large: processing it again may take a while on a busy box.
SETTLE_SECONDS = 180.0
STOP_SECONDS = 15.0
POLL_SECONDS = 0.1
SAMPLE_NAME = "team-leads-workshop.vtt"
LARGEST_FILES = 6
SLOW_NAME = "crash-recovery-long-call.vtt"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _slow_transcript(folder: Path, tag: str) -> bytes:
    """The cues of the largest Zoom calls in one WebVTT file: several seconds of work."""
    largest = sorted(folder.glob("*.vtt"), key=lambda p: p.stat().st_size, reverse=True)
    if len(largest) < LARGEST_FILES:
        pytest.skip(f"fewer than {LARGEST_FILES} Zoom transcripts in {folder}")
    parts = ["WEBVTT", "", f"NOTE crash recovery {tag}", ""]
    for path in largest[:LARGEST_FILES]:
        text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
        body = text.lstrip("\ufeff")
        if body.startswith("WEBVTT"):
            body = body.split("\n", 1)[1] if "\n" in body else ""
        parts.append(body.strip("\n"))
        parts.append("")
    return "\n".join(parts).encode("utf-8")


class Serve:
    """`coach serve` subprocesses, one at a time, on a home and drop folder that outlive them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        self.dropbox = root / "dropbox"
        self.process: subprocess.Popen | None = None
        self.runs = 0
        self.port = 0
        self._stderr_path = root / "serve-0.stderr"

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None
        self.runs += 1
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}
        env.update(COACH_HOME=str(self.home), COACH_DROPBOX=str(self.dropbox), PYTHONUNBUFFERED="1")
        coach = Path(sys.executable).with_name("coach")
        self._stderr_path = self.root / f"serve-{self.runs}.stderr"
        with (
            (self.root / f"serve-{self.runs}.stdout").open("wb") as stdout,
            self._stderr_path.open("wb") as stderr,
        ):
            self.process = subprocess.Popen(
                [coach, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=self.root,
                env=env,
                stdout=stdout,
                stderr=stderr,
            )
        self.wait_for(self._healthy, "the server to answer /health")

    def kill_hard(self) -> int:
        """SIGKILL to this server's pid only: no shutdown code runs, PostgreSQL stays up."""
        assert self.process is not None and self.process.poll() is None
        pid = self.process.pid
        os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_SECONDS)
        return pid

    def stop(self) -> None:
        """Teardown: the server politely first, then the database it may have left behind."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_SECONDS)
        self._stop_postgres()

    def _stop_postgres(self) -> None:
        # A killed server cannot stop the PostgreSQL it started; its pid file names it.
        pid_file = self.home / "pgdata" / "postmaster.pid"
        try:
            pid = int(pid_file.read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGINT)  # fast shutdown
        deadline = time.monotonic() + STOP_SECONDS
        while pid_file.exists() and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
        if pid_file.exists():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGQUIT)  # immediate shutdown

    @property
    def stderr(self) -> str:
        return self._stderr_path.read_text(encoding="utf-8", errors="replace")

    # -- HTTP -----------------------------------------------------------------------------
    def get(self, path: str, **params: Any) -> httpx.Response:
        return httpx.get(f"http://127.0.0.1:{self.port}{path}", params=params, timeout=10)

    def post(self, path: str) -> httpx.Response:
        return httpx.post(f"http://127.0.0.1:{self.port}{path}", timeout=10)

    def sessions(self) -> list[dict[str, Any]]:
        response = self.get("/v1/sessions", limit=200)
        assert response.status_code == 200, response.text
        return response.json()["items"]

    def sessions_named(self, source: str) -> list[dict[str, Any]]:
        return [s for s in self.sessions() if s["source"] == source]

    def executions(self, status: str | None = None) -> list[dict[str, Any]]:
        params = {"status": status} if status else {}
        response = self.get("/v1/executions", limit=1000, **params)
        assert response.status_code == 200, response.text
        return response.json()["items"]

    def execution(self, name: str) -> dict[str, Any]:
        response = self.get(f"/v1/executions/{name}")
        assert response.status_code == 200, response.text
        return response.json()

    def _healthy(self) -> bool:
        try:
            return self.get("/health").status_code == 200
        except httpx.TransportError:
            return False

    # -- polling --------------------------------------------------------------------------
    def wait_for(self, check: Callable[[], Any], what: str, timeout: float = DEADLINE_SECONDS):
        """Polls `check` until it returns something truthy; fails with the server's log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                pytest.fail(
                    f"coach serve exited ({self.process.returncode}) while waiting for {what}:\n"
                    f"{self.stderr[-4000:]}"
                )
            result = check()
            if result:
                return result
            time.sleep(POLL_SECONDS)
        pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}:\n{self.stderr[-4000:]}")


@pytest.fixture
def serve(tmp_path) -> Iterator[Serve]:
    server = Serve(tmp_path)
    try:
        yield server
    finally:
        server.stop()


def _mails_about(server: Serve, session_id: str) -> list[tuple[str, str]]:
    """(subject, body) of each email in the local outbox that links to the session."""
    mails = []
    for path in sorted((server.home / "outbox").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        if session_id in text:
            mails.append((str(message["subject"]), text))
    return mails


def _completed_with_results(server: Serve, session_id: str) -> dict[str, Any]:
    response = server.get(f"/v1/sessions/{session_id}")
    assert response.status_code == 200, response.text
    session = response.json()
    assert session["status"] == "completed", session.get("failure_reason")
    participants = session["participants"]
    assert participants, "a completed session lists its participants"
    assert [p for p in participants if p["role"] == "coach"], participants
    clients = [p for p in participants if p["role"] == "client"]
    assert clients, participants
    for person in clients:
        assert person["summary"], f"{person['name']} has no results"
    return session


def test_a_run_killed_mid_way_is_aborted_and_processed_once_after_restart(
    serve, shared_data, tmp_path
):
    # Given a first start whose bundled sample has finished
    serve.start()
    serve.wait_for(
        lambda: [s for s in serve.sessions_named(SAMPLE_NAME) if s["status"] == "completed"],
        "the sample to complete",
    )
    # And a long transcript dropped into the folder (written elsewhere, then renamed in)
    data = _slow_transcript(shared_data / "zoom-vtt", uuid.uuid4().hex)
    outside = tmp_path / f"{SLOW_NAME}.incoming"
    outside.write_bytes(data)
    outside.rename(serve.dropbox / SLOW_NAME)

    # When the server is killed with SIGKILL while its run is in progress
    running = serve.wait_for(
        lambda: [
            run
            for run in serve.executions("running")
            if any(s["execution"] == run["name"] for s in serve.sessions_named(SLOW_NAME))
        ],
        f"{SLOW_NAME}'s run to start",
    )
    assert len(running) == 1, running
    killed = running[0]
    assert serve.sessions_named(SLOW_NAME)[0]["status"] == "processing"
    serve.kill_hard()
    # ... and started again on the same home and drop folder
    serve.start()

    # Then the interrupted run is listed as aborted, with what happened
    aborted = serve.wait_for(
        lambda: [r for r in serve.executions("aborted") if r["name"] == killed["name"]],
        "the killed run to be listed as aborted",
    )[0]
    assert aborted["status"] == "ABORTED"
    assert aborted["session_id"] == killed["session_id"]
    assert aborted["stopped_at"]
    assert "stopped" in (aborted["cause"] or ""), aborted
    assert serve.execution(killed["name"])["status"] == "ABORTED"
    assert killed["name"] not in {r["name"] for r in serve.executions("running")}
    # And its session is no longer "processing": failed (interrupted) or, if the drop folder's
    # start-up scan took the file again, completed
    original = serve.wait_for(
        lambda: next(
            (
                s
                for s in serve.sessions_named(SLOW_NAME)
                if s["session_id"] == killed["session_id"] and s["status"] != "processing"
            ),
            None,
        ),
        "the interrupted session to leave 'processing'",
        SETTLE_SECONDS,
    )
    if original["status"] == "failed":
        assert "interrupted" in original["failure_reason"].lower(), original

    # When the restarted server has settled: the drop folder has handled the file again, or
    # nothing resubmits it and support redrives the run
    def settled() -> list[dict[str, Any]] | None:
        named = serve.sessions_named(SLOW_NAME)
        if any(s["status"] == "processing" for s in named):
            return None
        in_folder = (serve.dropbox / SLOW_NAME).exists()
        return None if in_folder and not any(s["status"] == "completed" for s in named) else named

    named = serve.wait_for(settled, f"{SLOW_NAME} to settle after the restart", SETTLE_SECONDS)
    resubmitted = any(s["session_id"] != killed["session_id"] for s in named)
    if not any(s["status"] == "completed" for s in named):
        response = serve.post(f"/v1/executions/{killed['name']}/redrive")
        assert response.status_code == 200, response.text
        redrive = response.json()
        assert redrive["redrive_of"] == killed["name"]
        serve.wait_for(
            lambda: [r for r in serve.executions("succeeded") if r["name"] == redrive["name"]],
            f"the redrive {redrive['name']} to succeed",
            SETTLE_SECONDS,
        )
        named = serve.sessions_named(SLOW_NAME)

    # Then exactly one session holds the content, and it is completed with results
    assert len(named) == 1, (
        f"{'the drop scan resubmitted: ' if resubmitted else ''}"
        f"{[(s['session_id'], s['status'], s['failure_reason']) for s in named]}"
    )
    (session,) = named
    _completed_with_results(serve, session["session_id"])
    # And the original transcript is kept, once, byte for byte
    kept = [p for p in (serve.home / "objects").rglob("*") if p.is_file() and SLOW_NAME in p.name]
    assert [p.read_bytes() for p in kept if session["session_id"] in str(p)] == [data]
    assert all(p.read_bytes() == data for p in kept)
    # And the drop folder did not reject the file
    assert not (serve.dropbox / "failed" / SLOW_NAME).exists()
    # And the coach was told once that it was interrupted, and once that it is ready
    mails = _mails_about(serve, session["session_id"])
    failures = [body for subject, body in mails if "could not be processed" in subject]
    ready = [body for subject, body in mails if "ready" in subject]
    if session["session_id"] == killed["session_id"]:
        assert len(failures) == 1, mails
        assert "interrupted" in failures[0].lower(), failures[0]
    assert len(ready) == 1, mails
