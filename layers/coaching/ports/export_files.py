"""Where an export's files go: a folder locally (adapters/local/export_files.py, the CLI's
``--out`` or ``$COACH_HOME/exports/``), the encrypted exports bucket in AWS. Paths are
relative, with ``/`` between parts (``sessions.csv``, ``sessions/month=2026-11/part-0.parquet``).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import BinaryIO, Protocol


class ExportFiles(Protocol):
    def open_write(self, relative_path: str) -> AbstractContextManager[BinaryIO]:
        """A file to write; it appears at the path, whole, when the context ends without
        an error (never half-written under its final name)."""
        ...

    def sha256(self, relative_path: str) -> str | None:
        """The hex SHA-256 of the file's bytes; None when there is no such file (a resumed
        run checks what an earlier attempt wrote)."""
        ...

    def url(self, relative_path: str, expires_in: int) -> str:
        """Where the file can be downloaded for ``expires_in`` seconds (a presigned URL in
        AWS, a file:// URL locally)."""
        ...
