"""The drop folder's copies of transcripts, and the sessions they belong to.

A processed drop stays in ``processed/`` and a failed one in ``failed/``: copies of personal
data that must go when their session is deleted (by a coach, or by retention). The drop folder
records each processed copy's session in a small index, ``processed/.drop-index/sessions.json``
(a hidden folder, so ``processed/`` still holds nothing but the transcripts); a failed copy's
``.error.json`` already names its session. The sweep removes every copy whose session is gone.

Files in ``processed/`` from before the index (no entry) are never touched. Logs give counts
only: a transcript's file name may carry a client's name.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("coach.dropbox")

INDEX_DIR = ".drop-index"
INDEX_NAME = "sessions.json"
ERROR_SUFFIX = ".error.json"
SWEEP_SECONDS = 60.0

# One lock per index file, shared by every DropFolder of this process on the same folder.
_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock_for(path: Path) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(path, threading.Lock())


def write_atomically(path: Path, text: str) -> None:
    """Written aside (a hidden temporary beside it), then renamed over: never half a file."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with temporary.open("w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _session_id(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


class DropCopies:
    """The index of ``processed/`` and the sweep of both ``processed/`` and ``failed/``."""

    def __init__(self, folder: Path) -> None:
        self._processed = folder / "processed"
        self._failed = folder / "failed"
        self._index = self._processed / INDEX_DIR / INDEX_NAME
        self._lock = _lock_for(self._index.resolve())

    def record(self, copy: Path, session_id: uuid.UUID) -> None:
        """``copy`` (a file in processed/) belongs to ``session_id``. Never raises: a copy left
        out of the index is only kept, like the ones from before the index."""
        try:
            with self._lock:
                entries = self._load()
                entries[copy.name] = str(session_id)
                self._save(entries)
        except OSError as error:
            log.warning("could not record a processed drop's session: %s", type(error).__name__)

    def unindexed(self) -> int:
        """Copies in processed/ whose session is unknown (dropped before the index existed)."""
        if not self._processed.is_dir():
            return 0
        with self._lock:
            known = self._load()
        return sum(1 for p in self._processed.iterdir() if p.is_file() and p.name not in known)

    def forget_deleted(self, session_exists: Callable[[uuid.UUID], bool]) -> int:
        """Removes the copies (and their .error.json, and index entries) of sessions that no
        longer exist; returns how many copies went. An error asking for a session (the
        database is away) stops the sweep before it removes anything."""
        with self._lock:
            entries = self._load()
            present = {n: sid for n, sid in entries.items() if (self._processed / n).exists()}
            if present != entries:  # removed by hand: nothing left to forget
                self._save(present)
        notes = self._failed_notes()
        wanted = {_session_id(sid) for sid in present.values()} | set(notes.values())
        gone = {sid for sid in wanted if sid is not None and not session_exists(sid)}
        if not gone:
            return 0
        removed = 0
        with self._lock:
            entries = self._load()
            kept = {name: sid for name, sid in entries.items() if _session_id(sid) not in gone}
            for name in entries.keys() - kept.keys():
                copy = self._processed / name
                removed += copy.exists()
                copy.unlink(missing_ok=True)
            if kept != entries:
                self._save(kept)
        for note, sid in notes.items():
            if sid in gone:
                copy = note.with_name(note.name.removesuffix(ERROR_SUFFIX))
                removed += copy.exists()
                copy.unlink(missing_ok=True)
                note.unlink(missing_ok=True)
        if removed:
            log.info("drop folder: removed %d copy(ies) of deleted sessions", removed)
        return removed

    def _failed_notes(self) -> dict[Path, uuid.UUID]:
        """Each complete .error.json in failed/ that names a session (one being written, or
        unreadable, waits for the next sweep)."""
        if not self._failed.is_dir():
            return {}
        notes: dict[Path, uuid.UUID] = {}
        for note in self._failed.glob(f"*{ERROR_SUFFIX}"):
            if note.name.startswith("."):
                continue
            try:
                sid = _session_id(json.loads(note.read_text(encoding="utf-8")).get("session_id"))
            except (OSError, ValueError, AttributeError):
                continue
            if sid is not None:
                notes[note] = sid
        return notes

    def _load(self) -> dict[str, str]:
        """Called with the lock held."""
        try:
            entries = json.loads(self._index.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            log.warning("the drop folder's session index is unreadable: starting a new one")
            return {}
        return {str(k): str(v) for k, v in entries.items()} if isinstance(entries, dict) else {}

    def _save(self, entries: dict[str, str]) -> None:
        """Called with the lock held."""
        self._index.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self._index, json.dumps(entries, indent=1, sort_keys=True))


class DropCopiesSweep:
    """`coach serve` runs the sweep at start, then every minute, on a background thread."""

    def __init__(self, sweep: Callable[[], object], interval_seconds: float = SWEEP_SECONDS):
        self._sweep = sweep
        self._interval = interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="drop-copies", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            run_sweep(self._sweep)
            self._stop.wait(self._interval)


def run_sweep(sweep: Callable[[], object]) -> None:
    try:
        sweep()
    except Exception as error:  # noqa: BLE001 - the next run tries again
        log.warning("drop folder sweep failed: %s", type(error).__name__)
