"""BackupFiles and BackupSource on a local folder (`$COACH_HOME/exports`, or `--out DIR`).

A file is written under a temporary name and renamed when complete, so a backup cut off
half-way never leaves a file that looks whole.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


class LocalBackupFiles:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, relative_path: str) -> Path:
        path = (self.root / relative_path).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"{relative_path!r} is outside the backup folder.")
        return path

    def exists(self, relative_path: str) -> bool:
        return self.path(relative_path).is_file()

    @contextmanager
    def open_write(self, relative_path: str) -> Iterator[BinaryIO]:
        path = self.path(relative_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.partial")
        try:
            with partial.open("wb") as file:
                yield file
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)

    @contextmanager
    def open_read(self, relative_path: str) -> Iterator[BinaryIO]:
        with self.path(relative_path).open("rb") as file:
            yield file
