"""The watched drop folder: a transcript saved into it is processed by the session pipeline.

Done files move to ``processed/`` (a file with the same content as an earlier one, too: the log
names the session it duplicates); files that cannot be processed move to ``failed/`` beside a
``.error.json`` saying why (drop_copies.py removes both copies once their session is deleted).
Files already there at start are processed too. A file whose processing hit an infrastructure
problem (the database is down: TransientError) is not the coach's fault: it stays in the
folder and is tried again later, with a capped backoff.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from coaching.domain.errors import TransientError
from coaching.ports.clock import WaitClock
from coaching.usecases.submit_transcript import process_transcript
from local_runtime.drop_copies import DropCopies, write_atomically
from local_runtime.platform import LocalPlatform

log = logging.getLogger("coach.dropbox")

SETTLE_SECONDS = 0.3
# A file is created empty, then written: an empty file waits this long for its content.
EMPTY_GRACE_SECONDS = 5.0
_IGNORED_PREFIXES = (".", "~")
_IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload", ".error.json")
# Retries after a transient failure: 2 s, 4 s, 8 s ... never more than a minute apart.
RETRY_FIRST_SECONDS = 2.0
RETRY_MAX_SECONDS = 60.0


def _is_candidate(path: Path, folder: Path) -> bool:
    return (
        path.parent == folder
        and not path.name.startswith(_IGNORED_PREFIXES)
        and not path.name.endswith(_IGNORED_SUFFIXES)
    )


def _wait_until_settled(path: Path, clock: WaitClock) -> bool:
    """A file still being copied in keeps growing: wait until its size holds still.

    An empty file is most likely still being opened for writing, so it gets a grace period
    before it counts as settled (and is then rejected as empty by the pipeline).
    """
    last = -1
    empty_until = clock.monotonic() + EMPTY_GRACE_SECONDS
    while True:
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return False
        if size == last and (size > 0 or clock.monotonic() >= empty_until):
            return True
        last = size
        clock.sleep(SETTLE_SECONDS)


def _move_aside(path: Path, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    if target.exists():
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = folder / f"{path.stem}-{stamp}-{uuid.uuid4().hex[:8]}{path.suffix}"
    shutil.move(str(path), target)
    return target


class DropFolder(FileSystemEventHandler):
    def __init__(
        self,
        platform: LocalPlatform,
        folder: Path,
        workers: int = 2,
        *,
        retry_first_seconds: float = RETRY_FIRST_SECONDS,
        retry_max_seconds: float = RETRY_MAX_SECONDS,
        clock: WaitClock = time,
        timer: Callable[[float, Callable[..., Any], tuple], threading.Timer] = threading.Timer,
    ) -> None:
        self._platform = platform
        self._folder = folder.resolve()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dropbox")
        self._in_flight: set[Path] = set()
        self._lock = threading.Lock()
        self._observer = Observer()
        self._retry_first = retry_first_seconds
        self._retry_max = retry_max_seconds
        self._attempts: dict[Path, int] = {}
        self._retries: dict[Path, threading.Timer] = {}
        self._stopping = False
        self._copies = DropCopies(self._folder)
        # Settling, the empty-file grace and retries wait on these: tests pass an instant clock.
        self._clock = clock
        self._timer = timer

    def start(self) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        unindexed = self._copies.unindexed()
        if unindexed:
            log.info(
                "%d file(s) in processed/ predate session tracking: kept until removed by hand",
                unindexed,
            )
        self._observer.schedule(self, str(self._folder), recursive=False)
        self._observer.start()
        for path in sorted(self._folder.iterdir()):
            if path.is_file():
                self.submit(path)

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            retries, self._retries = list(self._retries.values()), {}
        for timer in retries:
            timer.cancel()  # the files stay in the folder: the next start picks them up
        self._observer.stop()
        self._observer.join(timeout=5)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def on_created(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self.submit(Path(str(event.src_path)))

    def on_moved(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self.submit(Path(str(event.dest_path)))

    def submit(self, path: Path) -> None:
        path = path.resolve()
        if not _is_candidate(path, self._folder):
            return
        with self._lock:
            if self._stopping or path in self._in_flight:
                return
            self._in_flight.add(path)
            pending = self._retries.pop(path, None)
        if pending is not None:
            pending.cancel()
        self._pool.submit(self._process, path)

    def _process(self, path: Path) -> None:
        transient = False
        try:
            if not _wait_until_settled(path, self._clock):
                return
            org = self._platform.settings.default_organization_id
            # On real time: a duplicate's wait gives another thread's submission time to start.
            submission, execution = process_transcript(
                self._platform.deps, self._platform.workflow, org, path.read_bytes(), path.name
            )
            session = self._platform.deps.sessions.get_session(org, submission.session_id)
            if session is not None and session.processing_status == "completed":
                copy = _move_aside(path, self._folder / "processed")
                self._copies.record(copy, submission.duplicate_of or submission.session_id)
                if submission.duplicate_of is not None:
                    log.info(
                        "drop %s is a duplicate of session %s (same content): moved to processed/",
                        path.name,
                        submission.duplicate_of,
                    )
                else:
                    log.info("processed drop %s as session %s", path.name, submission.session_id)
                return
            if session is not None and session.processing_status != "failed":
                # Still running after the wait (a very long run): leave it, do not blame the file.
                transient = True
                log.warning("drop %s: session %s is still running", path.name, session.id)
                return
            reason = session.failure_reason if session else "the session was not recorded"
            self._reject(path, str(submission.session_id), reason or "processing failed")
        except TransientError as error:
            # Infrastructure, not the file: it stays where the coach put it and is retried.
            transient = True
            log.warning("drop %s not processed yet: %s", path.name, error)
        except Exception as error:  # noqa: BLE001 - a bad file must never stop the watcher
            log.exception("could not process drop %s", path.name)
            self._reject(path, None, f"Could not process the file ({type(error).__name__}).")
        finally:
            with self._lock:
                self._in_flight.discard(path)
                if transient:
                    self._schedule_retry(path)
                else:
                    self._attempts.pop(path, None)

    def forget_deleted_sessions(self) -> int:
        """Removes the processed/ and failed/ copies of sessions deleted since (see
        drop_copies.py); returns how many copies went."""
        sessions = self._platform.deps.sessions
        org = self._platform.settings.default_organization_id
        return self._copies.forget_deleted(lambda sid: sessions.get_session(org, sid) is not None)

    def _schedule_retry(self, path: Path) -> None:
        """Called with the lock held: try the file again after a capped, doubling delay."""
        if self._stopping or not path.exists():
            self._attempts.pop(path, None)
            return
        attempt = self._attempts.get(path, 0)
        self._attempts[path] = attempt + 1
        delay = min(self._retry_first * 2**attempt, self._retry_max)
        timer = self._timer(delay, self._retry, (path,))
        timer.daemon = True
        self._retries[path] = timer
        timer.start()
        log.warning(
            "drop %s stays in the folder: retry %d in %.0f s", path.name, attempt + 1, delay
        )

    def _retry(self, path: Path) -> None:
        with self._lock:
            if self._retries.get(path) is not threading.current_thread():
                return  # cancelled, or replaced by a newer retry
            del self._retries[path]
        self.submit(path)

    def _reject(self, path: Path, session_id: str | None, reason: str) -> None:
        if not path.exists():
            return
        target = _move_aside(path, self._folder / "failed")
        write_atomically(
            target.with_name(target.name + ".error.json"),
            json.dumps({"file": path.name, "session_id": session_id, "error": reason}, indent=2),
        )
        log.warning("drop moved to failed/: %s", reason)
