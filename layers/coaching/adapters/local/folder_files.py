"""Files in a local folder the way exports and backups keep them: a path given relative to
the folder never leads out of it, and a file is written under a temporary name beside its
final one, flushed to the disk and renamed when whole, so a reader (or a resumed run) never
takes a half-written file for a finished one."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


def inside(root: Path, relative_path: str, folder: str) -> Path:
    """``relative_path`` under ``root``; ValueError when it leads outside (``folder`` names
    the folder in the message)."""
    path = (root / relative_path).resolve()
    if not path.is_relative_to(root.resolve()):
        raise ValueError(f"Not a path inside the {folder} folder: {relative_path!r}")
    return path


@contextlib.contextmanager
def write_whole(path: Path) -> Iterator[BinaryIO]:
    """A file to write ``path`` through: it appears at ``path`` only once the block ends
    without an error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        with partial.open("wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
