"""`coach serve` as a coach runs it: the real command, its API, its drop folder, Ctrl-C.

One server (started once for the module, restarted once at the end) with its own home and
drop folder. Every wait is a bounded poll, never a fixed sleep.
"""

from __future__ import annotations

import json
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.serve_harness import SAMPLE, SAMPLE_NAME, ServeProcess, running_server

pytestmark = pytest.mark.e2e

SAMPLE_ROLES = {
    "Maya Chen": "coach",
    "Jordan Reyes": "client",
    "Priya Nair": "client",
    "Alex Okafor": "client",
}


def _variant_of_sample(tag: str) -> bytes:
    """The sample with one sentence changed: same speakers, different content (no duplicate)."""
    text = SAMPLE.read_text(encoding="utf-8")
    changed = text.replace("Welcome back, everyone.", f"Welcome back, everyone ({tag}).", 1)
    assert changed != text
    return changed.encode("utf-8")


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
    with running_server(tmp_path_factory.mktemp("coach-serve")) as serve:
        yield serve


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
    exit_code = server.interrupt()  # fails if it has not stopped within STOP_SECONDS
    # Then it shuts down, without a traceback, and stops its database
    assert exit_code in (0, 130), server.stderr
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


def test_sigterm_stops_the_server_and_its_database(server):
    # Given a running server (restarted by the test before)
    # When a service manager stops it
    exit_code = server.terminate()
    # Then it shuts down gracefully and its embedded PostgreSQL does not outlive it
    assert exit_code == 128 + signal.SIGTERM, server.stderr
    assert "Traceback" not in server.stderr
    assert "Application shutdown complete" in server.stderr
    assert not (server.home / "pgdata" / "postmaster.pid").exists()
