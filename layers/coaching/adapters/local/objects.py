"""ObjectStore on a folder: the local stand-in for the S3 transcript bucket."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from coaching.domain.errors import NotFound, PermanentError


class FolderObjectStore:
    def __init__(self, root: Path) -> None:
        self._root = root.resolve()

    def _path(self, key: str) -> Path:
        path = (self._root / key).resolve()
        if not path.is_relative_to(self._root):
            raise PermanentError(f"Object key {key!r} points outside the object store.")
        return path

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a crash never leaves half a transcript behind.
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, path)

    def get(self, key: str) -> bytes:
        path = self._path(key)
        if not path.is_file():
            raise NotFound(f"Object {key!r} does not exist.")
        return path.read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def copy(self, source_key: str, target_key: str) -> None:
        self.put(target_key, self.get(source_key))
