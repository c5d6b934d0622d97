"""ExportFiles in a local folder: the CLI's ``--out DIR``, or ``$COACH_HOME/exports/``.

A file is written under a temporary name beside its final one and renamed when whole, so a
reader (or a resumed run) never takes a half-written file for a finished one.
"""

from __future__ import annotations

import hashlib
from contextlib import AbstractContextManager
from pathlib import Path
from typing import BinaryIO

from coaching.adapters.local.folder_files import inside, write_whole


class LocalExportFiles:
    def __init__(self, root: Path) -> None:
        self._root = root.resolve()

    def _path(self, relative_path: str) -> Path:
        return inside(self._root, relative_path, "export")

    def open_write(self, relative_path: str) -> AbstractContextManager[BinaryIO]:
        return write_whole(self._path(relative_path))

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
