"""The drop folder's safety (issue #4): one session per content, bursts, restarts, outages.

Each test runs ``DropFolder`` in-process on the shared platform but in its own temporary
folder. The drop folder files into the default organization, which other tests use too, so
sessions are counted by the content each test generates (unique per test), never by totals.
Every wait is a bounded poll.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterator

import pytest

from coaching.domain.errors import DuplicateContent, TransientError
from coaching.usecases import submit_transcript as submit_module
from coaching.usecases.pipeline_input import PipelineInput
from coaching.usecases.submit_transcript import (
    process_transcript,
    session_record,
    submit_transcript,
)
from local_runtime.dropbox import DropFolder
from tests.drop_files import DEADLINE_SECONDS, drop, files_in, until
from tests.instant_clock import InstantClock
from tests.local_ports import ports

pytestmark = pytest.mark.integration


def _transcript(tag: str) -> bytes:
    """A small 'Name: text' transcript, unique by its tag."""
    return (
        f"Maya Chen: Welcome back. Today we look at your plan ({tag}).\n"
        "Jordan Reyes: I talked with my team about the new goals last week.\n"
        "Maya Chen: What did you notice when you talked with them?\n"
        "Priya Nair: They asked for clearer goals. I will write them down by Friday.\n"
        "Jordan Reyes: I realised I had never said what done looks like.\n"
        "Maya Chen: What will you do differently next time?\n"
    ).encode()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sessions_with(org: uuid.UUID, data: bytes) -> list[dict]:
    with ports().database.transaction() as conn:
        return conn.execute(
            "SELECT id, processing_status FROM sessions"
            " WHERE organization_id = %s AND content_sha256 = %s ORDER BY created_at",
            (org, _sha(data)),
        ).fetchall()


@pytest.fixture
def org(platform) -> uuid.UUID:
    return platform.settings.default_organization_id


@pytest.fixture
def clock() -> InstantClock:
    """The drop folder's settling and retry backoff wait on it, taking no real time."""
    return InstantClock()


@pytest.fixture
def drop_folder(platform, tmp_path, clock) -> Iterator[Callable[..., DropFolder]]:
    """Starts DropFolders on tmp_path / 'dropbox'; stops whatever is still running at the end."""
    started: list[DropFolder] = []

    def start(**options) -> DropFolder:
        folder = DropFolder(
            platform, tmp_path / "dropbox", clock=clock, timer=clock.timer, **options
        )
        folder.start()
        started.append(folder)
        return folder

    yield start
    for folder in started:
        folder.stop()


def test_same_file_dropped_twice_at_once_makes_one_session(
    platform, org, tmp_path, drop_folder, caplog
):
    # Given a running drop folder with two workers
    caplog.set_level(logging.INFO, logger="coach.dropbox")
    drop_folder(workers=2)
    folder = tmp_path / "dropbox"
    data = _transcript(f"twice {uuid.uuid4()}")
    # When the same content arrives twice at the same moment, under two names
    drop(folder, "monday.txt", data)
    drop(folder, "monday-copy.txt", data)
    # (the worker moves a copy, then logs it: wait for both, or the check races the log line)
    until(
        lambda: (
            files_in(folder / "processed") == {"monday.txt", "monday-copy.txt"}
            and any("duplicate of session" in r.message for r in caplog.records)
        ),
        "both copies in processed/ and the duplicate logged",
    )
    # Then there is one session, completed, and the log names the duplicate's session
    sessions = _sessions_with(org, data)
    assert [s["processing_status"] for s in sessions] == ["completed"]
    assert files_in(folder) == set()
    assert not (folder / "failed").exists()
    duplicates = [r.getMessage() for r in caplog.records if "duplicate of session" in r.message]
    assert len(duplicates) == 1
    assert str(sessions[0]["id"]) in duplicates[0]
    # And dropped again later, it is still the one session
    drop(folder, "monday-again.txt", data)
    until(lambda: "monday-again.txt" in files_in(folder / "processed"), "the third copy")
    assert len(_sessions_with(org, data)) == 1


def test_twenty_files_dropped_at_once_are_each_processed_once(org, tmp_path, drop_folder):
    # Given a running drop folder
    drop_folder(workers=4)
    folder = tmp_path / "dropbox"
    run = uuid.uuid4()
    contents = {f"session-{n:02}.txt": _transcript(f"burst {run} #{n}") for n in range(20)}
    # When twenty different transcripts are dropped at once
    for name, data in contents.items():
        drop(folder, name, data)
    until(lambda: files_in(folder / "processed") == set(contents), "all 20 in processed/")
    # Then each made exactly one completed session and the folder is empty
    for data in contents.values():
        assert [s["processing_status"] for s in _sessions_with(org, data)] == ["completed"]
    assert {p.name for p in folder.iterdir()} == {"processed"}


def test_files_dropped_while_stopped_are_processed_at_the_next_start(org, tmp_path, drop_folder):
    # Given files waiting before the drop folder ever started
    folder = tmp_path / "dropbox"
    folder.mkdir()
    early = {f"early-{n}.txt": _transcript(f"early {uuid.uuid4()}") for n in range(2)}
    for name, data in early.items():
        drop(folder, name, data)
    first = drop_folder()
    until(lambda: files_in(folder / "processed") == set(early), "files there before the start")
    # And files dropped while it was stopped
    first.stop()
    late = {f"late-{n}.txt": _transcript(f"late {uuid.uuid4()}") for n in range(2)}
    for name, data in late.items():
        drop(folder, name, data)
    assert files_in(folder) == set(late)  # nothing watches the folder now
    # When it starts again
    drop_folder()
    # Then they are processed once each
    until(
        lambda: files_in(folder / "processed") == set(early) | set(late),
        "files dropped while stopped",
    )
    for data in [*early.values(), *late.values()]:
        assert len(_sessions_with(org, data)) == 1


def test_a_bad_file_moves_to_failed_with_the_reason(org, tmp_path, drop_folder):
    # Given a running drop folder
    drop_folder()
    folder = tmp_path / "dropbox"
    # When a file without speaker names is dropped
    data = f"just some notes {uuid.uuid4()} without any speakers at all\n".encode()
    drop(folder, "notes.txt", data)
    until(lambda: "notes.txt.error.json" in files_in(folder / "failed"), "the error note")
    # Then it sits in failed/ beside a note saying why
    note = json.loads((folder / "failed" / "notes.txt.error.json").read_text())
    assert (folder / "failed" / "notes.txt").read_bytes() == data
    assert "speaker" in note["error"]
    assert note["session_id"] == str(_sessions_with(org, data)[0]["id"])


def test_a_database_outage_keeps_the_file_and_retries_it(
    platform, org, tmp_path, drop_folder, clock, monkeypatch
):
    # Given a database that is down until told otherwise
    store = platform.deps.sessions
    real_find = store.find_live_by_hash
    database_up = threading.Event()
    attempts: list[float] = []

    def find_live_by_hash(organization, sha256):
        attempts.append(clock.monotonic())
        if not database_up.is_set():
            raise TransientError("The database is unavailable, retrying later.")
        return real_find(organization, sha256)

    monkeypatch.setattr(store, "find_live_by_hash", find_live_by_hash)
    drop_folder(retry_first_seconds=0.1, retry_max_seconds=0.4)
    folder = tmp_path / "dropbox"
    data = _transcript(f"outage {uuid.uuid4()}")
    # When a transcript is dropped during the outage
    drop(folder, "tuesday.txt", data)
    until(lambda: len(attempts) >= 4, "several attempts during the outage")
    # Then it stays in the folder, is not reported as a bad file, and the retries back off
    assert files_in(folder) == {"tuesday.txt"}
    assert not (folder / "failed").exists()
    gaps = [later - earlier for earlier, later in zip(attempts, attempts[1:], strict=False)]
    assert gaps[2] > gaps[0]
    assert _sessions_with(org, data) == []
    # And once the database is back, it is processed
    database_up.set()
    until(lambda: "tuesday.txt" in files_in(folder / "processed"), "processing after the outage")
    assert [s["processing_status"] for s in _sessions_with(org, data)] == ["completed"]
    assert not (folder / "failed").exists()


# -- the store and the use case, below the drop folder ------------------------------------


def _record(org: uuid.UUID, data: bytes, name: str = "s.txt"):
    session_id = uuid.uuid4()
    step = PipelineInput(
        organization_id=org,
        session_id=session_id,
        transcript_key=f"transcripts/{org}/{session_id}/{name}",
        source_name=name,
    )
    return session_record(step, _sha(data), f"session-{session_id}")


def test_the_store_keeps_one_live_session_per_content(platform, organization):
    store = platform.deps.sessions
    data = _transcript(f"store {uuid.uuid4()}")
    first, second = _record(organization, data), _record(organization, data)
    # Given one session of some content
    store.create_session(organization, first)
    # When another session with the same content is created
    with pytest.raises(DuplicateContent) as clash:
        store.create_session(organization, second)
    # Then it is refused, naming the first; creating the first again changes nothing
    assert clash.value.session_id == first.id
    store.create_session(organization, first)
    assert [s["id"] for s in _sessions_with(organization, data)] == [first.id]
    # And once the first failed, the same content can be submitted again
    store.update_session(organization, first.id, processing_status="failed")
    store.create_session(organization, second)
    assert store.find_live_by_hash(organization, _sha(data)).id == second.id


def test_two_submissions_racing_past_the_check_make_one_session(
    platform, organization, monkeypatch
):
    # Given two submissions that both see no earlier session (the race the index closes)
    store = platform.deps.sessions
    monkeypatch.setattr(store, "find_live_by_hash", lambda org, sha256: None)
    data = _transcript(f"race {uuid.uuid4()}")
    barrier = threading.Barrier(2)
    results = []

    def submit(name: str) -> None:
        barrier.wait()
        results.append(
            submit_transcript(platform.deps, platform.workflow, organization, data, name)
        )

    # When they run at the same moment
    threads = [threading.Thread(target=submit, args=(f"{n}.txt",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DEADLINE_SECONDS)
    # Then one session exists and the other submission is its duplicate, not an error
    assert len(results) == 2
    (created,) = [r for r in results if r.duplicate_of is None]
    (duplicate,) = [r for r in results if r.duplicate_of is not None]
    assert duplicate.duplicate_of == created.session_id
    assert [s["id"] for s in _sessions_with(organization, data)] == [created.session_id]
    assert platform.workflow.wait(created.execution_name).status == "SUCCEEDED"


def test_a_duplicate_waits_for_the_running_session(platform, organization):
    # Given a submission whose run is still going
    data = _transcript(f"wait {uuid.uuid4()}")
    first = submit_transcript(platform.deps, platform.workflow, organization, data, "a.txt")
    # When the same content is processed again
    second, execution = process_transcript(
        platform.deps, platform.workflow, organization, data, "b.txt"
    )
    # Then it returns the first session, finished
    assert second.duplicate_of == first.session_id
    assert execution is None
    session = platform.deps.sessions.get_session(organization, first.session_id)
    assert session.processing_status == "completed"


def test_a_session_whose_run_was_lost_does_not_block_the_file(platform, organization, monkeypatch):
    # Given a session left 'processing' by a platform that stopped mid-run
    monkeypatch.setattr(submit_module, "LOST_RUN_GRACE_SECONDS", 0.2)  # polls, on no real time
    data = _transcript(f"lost {uuid.uuid4()}")
    lost = _record(organization, data)
    platform.deps.objects.put(lost.transcript_key, data)
    platform.deps.sessions.create_session(organization, lost)
    platform.deps.sessions.update_session(organization, lost.id, processing_status="processing")
    # When the same file is processed again
    submission, execution = process_transcript(
        platform.deps, platform.workflow, organization, data, lost.source_name, clock=InstantClock()
    )
    # Then that same session runs again and completes: still one session for the content
    assert submission.session_id == lost.id and submission.duplicate_of is None
    assert execution.status == "SUCCEEDED"
    statuses = {s["id"]: s["processing_status"] for s in _sessions_with(organization, data)}
    assert statuses == {lost.id: "completed"}
