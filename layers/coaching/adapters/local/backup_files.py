"""BackupFiles and BackupSource on a local folder (`$COACH_HOME/exports`, or `--out DIR`).

A file is written under a temporary name and renamed when complete, so a backup cut off
half-way never leaves a file that looks whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import BinaryIO

from coaching.adapters.local.folder_files import inside, write_whole


class LocalBackupFiles:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, relative_path: str) -> Path:
        return inside(self.root, relative_path, "backup")

    def exists(self, relative_path: str) -> bool:
        return self.path(relative_path).is_file()

    def open_write(self, relative_path: str) -> AbstractContextManager[BinaryIO]:
        return write_whole(self.path(relative_path))

    @contextmanager
    def open_read(self, relative_path: str) -> Iterator[BinaryIO]:
        with self.path(relative_path).open("rb") as file:
            yield file
