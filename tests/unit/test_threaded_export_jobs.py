"""`coach serve`'s export starter: the run happens on a thread of its own, the caller returns
at once, and a failing run is logged rather than lost."""

from __future__ import annotations

import threading
import uuid

import pytest

from coaching.adapters.local.export_jobs import ThreadedExportJobs

pytestmark = pytest.mark.unit


def test_start_returns_before_the_run_and_the_run_happens_on_another_thread():
    release, ran = threading.Event(), threading.Event()
    seen: list[tuple[uuid.UUID, str]] = []

    def run_job(run_id: uuid.UUID) -> None:
        release.wait(5)
        seen.append((run_id, threading.current_thread().name))
        ran.set()

    run_id = uuid.uuid4()
    ThreadedExportJobs(run_job).start(run_id)
    assert seen == []  # start returned while the run waits
    release.set()
    assert ran.wait(5)
    assert seen == [(run_id, f"export-{run_id}")]


def test_a_run_that_raises_is_logged(caplog):
    done = threading.Event()

    def run_job(run_id: uuid.UUID) -> None:
        try:
            raise RuntimeError("boom")
        finally:
            done.set()

    with caplog.at_level("ERROR", logger="coach.exports"):
        ThreadedExportJobs(run_job).start(uuid.uuid4())
        assert done.wait(5)
        for thread in threading.enumerate():
            if thread.name.startswith("export-"):
                thread.join(5)
    assert "could not be run" in caplog.text
