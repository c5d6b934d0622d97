"""The watched drop folder: a transcript saved into it is processed by the session pipeline.

Done files move to ``processed/``; files that cannot be processed move to ``failed/`` beside a
``.error.json`` saying why. Files already there at start are processed too.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from coaching.usecases.submit_transcript import process_transcript
from local_runtime.platform import LocalPlatform

log = logging.getLogger("coach.dropbox")

SETTLE_SECONDS = 0.3
# A file is created empty, then written: an empty file waits this long for its content.
EMPTY_GRACE_SECONDS = 5.0
_IGNORED_PREFIXES = (".", "~")
_IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload", ".error.json")


def _is_candidate(path: Path, folder: Path) -> bool:
    return (
        path.parent == folder
        and not path.name.startswith(_IGNORED_PREFIXES)
        and not path.name.endswith(_IGNORED_SUFFIXES)
    )


def _wait_until_settled(path: Path) -> bool:
    """A file still being copied in keeps growing: wait until its size holds still.

    An empty file is most likely still being opened for writing, so it gets a grace period
    before it counts as settled (and is then rejected as empty by the pipeline).
    """
    last = -1
    empty_until = time.monotonic() + EMPTY_GRACE_SECONDS
    while True:
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return False
        if size == last and (size > 0 or time.monotonic() >= empty_until):
            return True
        last = size
        time.sleep(SETTLE_SECONDS)


def _move_aside(path: Path, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    if target.exists():
        target = folder / f"{path.stem}-{int(time.time() * 1000)}{path.suffix}"
    shutil.move(str(path), target)
    return target


class DropFolder(FileSystemEventHandler):
    def __init__(self, platform: LocalPlatform, folder: Path, workers: int = 2) -> None:
        self._platform = platform
        self._folder = folder.resolve()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dropbox")
        self._in_flight: set[Path] = set()
        self._lock = threading.Lock()
        self._observer = Observer()

    def start(self) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        self._observer.schedule(self, str(self._folder), recursive=False)
        self._observer.start()
        for path in sorted(self._folder.iterdir()):
            if path.is_file():
                self.submit(path)

    def stop(self) -> None:
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
            if path in self._in_flight:
                return
            self._in_flight.add(path)
        self._pool.submit(self._process, path)

    def _process(self, path: Path) -> None:
        try:
            if not _wait_until_settled(path):
                return
            org = self._platform.settings.default_organization_id
            submission, execution = process_transcript(
                self._platform.deps, self._platform.workflow, org, path.read_bytes(), path.name
            )
            session = self._platform.deps.store.get_session(org, submission.session_id)
            if session is not None and session.processing_status == "completed":
                _move_aside(path, self._folder / "processed")
                log.info(
                    "processed drop %s as session %s (%s)",
                    path.name,
                    submission.session_id,
                    "duplicate" if submission.duplicate_of else "new",
                )
                return
            reason = session.failure_reason if session else "the session was not recorded"
            self._reject(path, str(submission.session_id), reason or "processing failed")
        except Exception as error:  # noqa: BLE001 - a bad file must never stop the watcher
            log.exception("could not process drop %s", path.name)
            self._reject(path, None, f"Could not process the file ({type(error).__name__}).")
        finally:
            with self._lock:
                self._in_flight.discard(path)

    def _reject(self, path: Path, session_id: str | None, reason: str) -> None:
        if not path.exists():
            return
        target = _move_aside(path, self._folder / "failed")
        target.with_name(target.name + ".error.json").write_text(
            json.dumps({"file": path.name, "session_id": session_id, "error": reason}, indent=2),
            encoding="utf-8",
        )
        log.warning("drop moved to failed/: %s", reason)
