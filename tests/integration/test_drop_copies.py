"""The drop folder's copies of a transcript go with their session (local_runtime/drop_copies.py).

Each test runs ``DropFolder`` on the shared platform in its own temporary folder, deletes
sessions with the delete use case, and runs the sweep itself. Every wait is a bounded poll.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from coaching.usecases.delete_session import delete_session
from local_runtime import retention_schedule
from local_runtime.drop_copies import INDEX_DIR, INDEX_NAME, DropCopiesSweep
from local_runtime.dropbox import DropFolder
from local_runtime.retention_schedule import RetentionSchedule
from tests.drop_files import DEADLINE_SECONDS, drop, files_in, until
from tests.instant_clock import InstantClock

pytestmark = pytest.mark.integration

# A file name may carry a client's name: it must never reach the log.
CLIENT_NAME = "Jordan Reyes"


def _transcript(tag: str) -> bytes:
    return (
        f"Maya Chen: Welcome back. Today we look at your plan ({tag}).\n"
        "Jordan Reyes: I talked with my team about the new goals last week.\n"
        "Maya Chen: What did you notice when you talked with them?\n"
        "Jordan Reyes: They asked for clearer goals. I will write them down by Friday.\n"
    ).encode()


def _index(folder: Path) -> dict[str, str]:
    path = folder / "processed" / INDEX_DIR / INDEX_NAME
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


@pytest.fixture
def org(platform) -> uuid.UUID:
    return platform.settings.default_organization_id


@pytest.fixture
def folder(tmp_path) -> Path:
    return tmp_path / "dropbox"


@pytest.fixture
def drop_folder(platform, folder) -> Iterator[Callable[[], DropFolder]]:
    started: list[DropFolder] = []

    def start() -> DropFolder:
        clock = InstantClock()  # settling takes no real time
        watcher = DropFolder(platform, folder, clock=clock, timer=clock.timer)
        watcher.start()
        started.append(watcher)
        return watcher

    yield start
    for watcher in started:
        watcher.stop()


def _processed(drop_folder_dir: Path, name: str, data: bytes) -> uuid.UUID:
    """Drops a transcript, waits until it is in processed/, returns its session."""
    drop(drop_folder_dir, name, data)
    until(lambda: name in _index(drop_folder_dir), f"{name} in processed/")
    assert name in files_in(drop_folder_dir / "processed")
    return uuid.UUID(_index(drop_folder_dir)[name])


def test_a_processed_copy_goes_with_its_deleted_session(platform, org, folder, drop_folder, caplog):
    caplog.set_level(logging.INFO, logger="coach.dropbox")
    # Given a processed drop, and a duplicate of it under another name
    watcher = drop_folder()
    data = _transcript(f"deleted {uuid.uuid4()}")
    name, twin = f"{CLIENT_NAME} monday.txt", f"{CLIENT_NAME} monday copy.txt"
    session_id = _processed(folder, name, data)
    assert platform.deps.sessions.get_session(org, session_id) is not None
    assert _processed(folder, twin, data) == session_id  # the session it duplicates
    # When the session is deleted and the sweep runs
    delete_session(platform.deps, org, session_id)
    caplog.clear()
    assert watcher.forget_deleted_sessions() == 2
    # Then both copies and their index entries are gone; processed/ looks as before
    assert files_in(folder / "processed") == set()
    assert _index(folder) == {}
    assert {p.name for p in folder.iterdir()} == {"processed"}
    # And the log counts, never names
    assert any("removed 2 copy" in r.getMessage() for r in caplog.records)
    assert not any(CLIENT_NAME in r.getMessage() for r in caplog.records)


def test_a_copy_whose_session_exists_stays(platform, org, folder, drop_folder):
    # Given two processed drops
    watcher = drop_folder()
    kept = _processed(folder, "kept.txt", _transcript(f"kept {uuid.uuid4()}"))
    gone = _processed(folder, "gone.txt", _transcript(f"gone {uuid.uuid4()}"))
    # When only one session is deleted and the sweep runs (twice: nothing more goes)
    delete_session(platform.deps, org, gone)
    assert watcher.forget_deleted_sessions() == 1
    assert watcher.forget_deleted_sessions() == 0
    # Then the other copy and its entry stay
    assert files_in(folder / "processed") == {"kept.txt"}
    assert _index(folder) == {"kept.txt": str(kept)}


def test_a_failed_copy_and_its_report_go_with_its_session(platform, org, folder, drop_folder):
    # Given a drop that failed: its copy and report in failed/ name its (failed) session
    watcher = drop_folder()
    data = f"just some notes {uuid.uuid4()} without any speakers at all\n".encode()
    drop(folder, "notes.txt", data)
    report = folder / "failed" / "notes.txt.error.json"
    until(report.exists, "the error report")
    session_id = uuid.UUID(json.loads(report.read_text(encoding="utf-8"))["session_id"])
    # While the session exists the sweep leaves them
    assert watcher.forget_deleted_sessions() == 0
    assert files_in(folder / "failed") == {"notes.txt", "notes.txt.error.json"}
    # When the session is deleted and the sweep runs
    delete_session(platform.deps, org, session_id)
    assert watcher.forget_deleted_sessions() == 1
    # Then the copy and its report are gone
    assert files_in(folder / "failed") == set()


def test_the_index_survives_a_restart(platform, org, folder, drop_folder):
    # Given a processed drop, and a drop folder stopped since
    first = drop_folder()
    session_id = _processed(folder, "tuesday.txt", _transcript(f"restart {uuid.uuid4()}"))
    first.stop()
    # When its session is deleted and a new drop folder on the same folder sweeps
    delete_session(platform.deps, org, session_id)
    second = drop_folder()
    assert second.forget_deleted_sessions() == 1
    # Then the copy is gone
    assert files_in(folder / "processed") == set()


def test_copies_from_before_the_index_stay_and_are_counted_once(
    platform, org, folder, drop_folder, caplog
):
    # Given processed/ holding files from before the index
    (folder / "processed").mkdir(parents=True)
    for n in range(3):
        (folder / "processed" / f"{CLIENT_NAME} old {n}.txt").write_bytes(b"old")
    caplog.set_level(logging.INFO, logger="coach.dropbox")
    # When the drop folder starts and sweeps
    watcher = drop_folder()
    assert watcher.forget_deleted_sessions() == 0
    # Then they stay, and the start logs their count, not their names
    assert len(files_in(folder / "processed")) == 3
    messages = [r.getMessage() for r in caplog.records]
    assert sum("3 file(s) in processed/" in m for m in messages) == 1
    assert not any(CLIENT_NAME in m for m in messages)


def test_the_sweep_runs_at_start_then_each_interval_and_stops_cleanly():
    runs: list[float] = []
    three = threading.Event()

    def sweep() -> None:
        runs.append(time.monotonic())
        if len(runs) == 2:
            raise OSError("a failing run does not stop the next")
        if len(runs) >= 3:
            three.set()

    schedule = DropCopiesSweep(sweep, interval_seconds=0.05)
    schedule.start()
    assert three.wait(DEADLINE_SECONDS)
    schedule.stop()
    count = len(runs)
    # stop() returned once the sweep's thread ended: no run can follow
    assert not schedule._thread.is_alive()
    assert len(runs) == count


def test_the_sweep_runs_right_after_the_retention_purge(platform, monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(
        retention_schedule, "purge_expired", lambda *a, **k: calls.append("purge") or _Report()
    )
    schedule = RetentionSchedule(platform.deps, after_purge=lambda: calls.append("sweep"))
    schedule.run_once()
    assert calls == ["purge", "sweep"]


class _Report:
    sessions: list = []
    deleted = 0
    failed = 0
