"""`coach serve` as a coach runs it: the real command, its API, its drop folder, Ctrl-C.

One server (started once for the module, restarted once at the end) with its own home and
drop folder. Every wait is a bounded poll, never a fixed sleep.
"""

from __future__ import annotations

import json
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

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE = REPO_ROOT / "local_runtime" / "samples" / "team-leads-workshop.vtt"
SAMPLE_NAME = SAMPLE.name
DEADLINE_SECONDS = 60.0
STOP_SECONDS = 15.0
POLL_SECONDS = 0.2
SAMPLE_ROLES = {
    "Maya Chen": "coach",
    "Jordan Reyes": "client",
    "Priya Nair": "client",
    "Alex Okafor": "client",
}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _variant_of_sample(tag: str) -> bytes:
    """The sample with one sentence changed: same speakers, different content (no duplicate)."""
    text = SAMPLE.read_text(encoding="utf-8")
    changed = text.replace("Welcome back, everyone.", f"Welcome back, everyone ({tag}).", 1)
    assert changed != text
    return changed.encode("utf-8")


class ServeProcess:
    """One `coach serve` subprocess at a time, on a home and drop folder that outlive it."""

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

    def interrupt(self) -> int:
        """Ctrl-C, as a coach stops it in the terminal; returns the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=STOP_SECONDS)

    def kill(self) -> None:
        """Teardown: stop whatever still runs, politely first."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_SECONDS)
            self._stop_orphaned_postgres()

    def _stop_orphaned_postgres(self) -> None:
        # A killed server cannot stop the PostgreSQL it started; its pid file names it.
        pid_file = self.home / "pgdata" / "postmaster.pid"
        try:
            os.kill(int(pid_file.read_text().splitlines()[0]), signal.SIGINT)
        except (OSError, ValueError, IndexError):
            pass

    @property
    def stderr(self) -> str:
        return self._stderr_path.read_text(encoding="utf-8", errors="replace")

    # -- HTTP -----------------------------------------------------------------------------
    def get(self, path: str, **params: Any) -> httpx.Response:
        return httpx.get(f"http://127.0.0.1:{self.port}{path}", params=params, timeout=10)

    def sessions(self) -> list[dict[str, Any]]:
        response = self.get("/v1/sessions", limit=200)
        assert response.status_code == 200, response.text
        return response.json()["items"]

    def session_named(self, source: str, status: str | None = None) -> dict[str, Any] | None:
        for session in self.sessions():
            if session["source"] == source and (status is None or session["status"] == status):
                return session
        return None

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


def _assert_error_shape(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert "Traceback" not in response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == f"COACH_{status}"
    assert error["message"]
    return error


def _read_json_when_complete(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None  # not there yet, or still being written


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServeProcess]:
    serve = ServeProcess(tmp_path_factory.mktemp("coach-serve"))
    try:
        serve.start()
        yield serve
    finally:
        serve.kill()


def test_health_answers_ok(server):
    # When the API is asked whether it is up
    response = server.get("/health")
    # Then it says so
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_sample_is_processed_on_first_start(server):
    # Given a first start on an empty home
    # When the background processing of the bundled sample finishes
    listed = server.wait_for(
        lambda: server.session_named(SAMPLE_NAME, "completed"), "the sample to complete"
    )
    # Then its results name the coach and give each client a summary
    response = server.get(f"/v1/sessions/{listed['session_id']}")
    assert response.status_code == 200, response.text
    session = response.json()
    assert session["status"] == "completed"
    roles = {p["name"]: p["role"] for p in session["participants"]}
    assert roles == SAMPLE_ROLES
    for person in session["participants"]:
        if person["role"] == "client":
            assert person["summary"], person["name"]
        else:
            assert person["summary"] is None


@pytest.mark.parametrize("how", ["renamed-in", "written-in-place"])
def test_a_transcript_dropped_into_the_folder_is_processed(server, how, tmp_path):
    # Given a new transcript saved into the drop folder, in one of the ways editors save
    name = f"{how}.vtt"
    data = _variant_of_sample(how)
    if how == "renamed-in":
        temporary = server.dropbox / f".{name}.part"
        temporary.write_bytes(data)
        temporary.rename(server.dropbox / name)
    else:
        (server.dropbox / name).write_bytes(data)
    # When the folder has handled it
    done = server.dropbox / "processed" / name
    server.wait_for(done.is_file, f"{name} to move to processed/")
    # Then the file moved aside unchanged, and a new completed session carries its name
    assert not (server.dropbox / name).exists()
    assert done.read_bytes() == data
    session = server.wait_for(
        lambda: server.session_named(name, "completed"), f"{name}'s session to be listed"
    )
    details = server.get(f"/v1/sessions/{session['session_id']}").json()
    assert {p["name"]: p["role"] for p in details["participants"]} == SAMPLE_ROLES


def test_a_broken_file_moves_to_failed_with_the_reason(server):
    # Given a transcript with a broken timestamp
    name = "broken.srt"
    (server.dropbox / name).write_text("1\n00:00:01,000 --> nonsense\nhello\n", encoding="utf-8")
    # When the folder has handled it
    report_path = server.dropbox / "failed" / f"{name}.error.json"
    report = server.wait_for(
        lambda: _read_json_when_complete(report_path), f"{report_path.name} to be written"
    )
    # Then the file sits in failed/ beside a report that names the problem
    assert (server.dropbox / "failed" / name).is_file()
    assert not (server.dropbox / name).exists()
    assert report["file"] == name
    assert name in report["error"] and "invalid timestamp" in report["error"]
    # And the session is listed as failed, with the same reason
    session = server.session_named(name)
    assert session is not None
    assert session["status"] == "failed"
    assert session["session_id"] == report["session_id"]
    assert session["failure_reason"] == report["error"]


def test_unknown_sessions_and_bad_requests_answer_in_the_error_shape(server):
    # When a session that does not exist is asked for
    missing = _assert_error_shape(server.get(f"/v1/sessions/{uuid.uuid4()}"), 404)
    # Or an id that is not an id at all
    _assert_error_shape(server.get("/v1/sessions/not-a-uuid"), 404)
    # Or a list with an impossible limit
    invalid = _assert_error_shape(server.get("/v1/sessions", limit=0), 422)
    # Then each answer says what is wrong, and which field
    assert "does not exist" in missing["message"]
    assert [f["field"] for f in invalid["details"]["fields"]] == ["query.limit"]


def test_ctrl_c_stops_cleanly_and_a_restart_keeps_the_data(server):
    # Given a server that has processed some sessions
    server.wait_for(lambda: server.session_named(SAMPLE_NAME, "completed"), "the sample")
    before = {s["session_id"]: s["status"] for s in server.sessions()}
    # When the coach presses Ctrl-C
    started = time.monotonic()
    exit_code = server.interrupt()
    # Then it shuts down in time, without a traceback, and stops its database
    assert exit_code in (0, 130), server.stderr
    assert time.monotonic() - started < STOP_SECONDS
    first_log = server.stderr
    assert "Traceback" not in first_log
    assert "Application shutdown complete" in first_log
    assert not (server.home / "pgdata" / "postmaster.pid").exists()
    assert first_log.count("sample processed as session") == 1

    # When it is started again on the same home
    server.start()
    # Then the same sessions are there
    assert {s["session_id"]: s["status"] for s in server.sessions()} == before
    # And the drop folder works again: a file dropped now is processed
    name = "after-restart.vtt"
    (server.dropbox / name).write_bytes(_variant_of_sample(name))
    server.wait_for((server.dropbox / "processed" / name).is_file, f"{name} to be processed")
    # And the sample was not processed a second time
    assert "sample processed" not in server.stderr
    sessions = server.sessions()
    assert [s["source"] for s in sessions].count(SAMPLE_NAME) == 1
    assert {s["session_id"] for s in sessions} - set(before) == {
        server.session_named(name)["session_id"]
    }
