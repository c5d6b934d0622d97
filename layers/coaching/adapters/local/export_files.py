"""ExportFiles in a local folder: the CLI's ``--out DIR``, or ``$COACH_HOME/exports/``.

A file is written under a temporary name beside its final one and renamed when whole, so a
reader (or a resumed run) never takes a half-written file for a finished one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


class LocalExportFiles:
    def __init__(self, root: Path) -> None:
        self._root = root.resolve()

    def _path(self, relative_path: str) -> Path:
        path = (self._root / relative_path).resolve()
        if not path.is_relative_to(self._root):
            raise ValueError(f"Not a path inside the export folder: {relative_path!r}")
        return path

    @contextlib.contextmanager
    def open_write(self, relative_path: str) -> Iterator[BinaryIO]:
        path = self._path(relative_path)
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

    def sha256(self, relative_path: str) -> str | None:
        path = self._path(relative_path)
        if not path.is_file():
            return None
        digest = hashlib.sha256()
        with path.open("rb") as file:
            for chunk in iter(lambda: file.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()

    def url(self, relative_path: str, expires_in: int) -> str:
        del expires_in  # a local file does not expire
        return self._path(relative_path).as_uri()
