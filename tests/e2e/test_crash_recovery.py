"""`coach serve` killed with SIGKILL in the middle of a run, then started again.

After the restart the interrupted run is listed as ABORTED, its session is not left
"processing", the transcript ends up processed exactly once (by the drop folder's start-up
scan, or by a redrive when nothing resubmits it) and the original file is kept.

The real command runs as a subprocess on its own home and drop folder; every wait is a
bounded poll, never a fixed sleep.
"""

from __future__ import annotations

import email
import email.policy
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.serve_harness import ServeProcess

pytestmark = pytest.mark.e2e

# The interrupted transcript is large: processing it again may take a while on a busy box.
SETTLE_SECONDS = 180.0
SAMPLE_NAME = "team-leads-workshop.vtt"
LARGEST_FILES = 6
SLOW_NAME = "crash-recovery-long-call.vtt"


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


@pytest.fixture
def serve(tmp_path) -> Iterator[ServeProcess]:
    server = ServeProcess(tmp_path)
    try:
        yield server
    finally:
        server.stop()


def _mails_about(server: ServeProcess, session_id: str) -> list[tuple[str, str]]:
    """(subject, body) of each email in the local outbox that links to the session."""
    mails = []
    for path in sorted((server.home / "outbox").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        if session_id in text:
            mails.append((str(message["subject"]), text))
    return mails


def _completed_with_results(server: ServeProcess, session_id: str) -> dict[str, Any]:
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
