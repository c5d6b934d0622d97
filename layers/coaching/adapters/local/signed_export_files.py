"""Export files in a local folder whose download links `coach serve` answers: the links are
signed, short-lived and name one file (GET /exports/download/<token>), as S3's presigned
URLs are in AWS. Writing is the folder adapter's (``inner``)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import BinaryIO

from coaching.adapters.local.download_tokens import DownloadTokens
from coaching.domain.errors import NotFound
from coaching.ports.export_files import ExportFiles

DOWNLOAD_PATH = "/exports/download/"


class SignedLocalExportFiles:
    def __init__(
        self, inner: ExportFiles, root: Path, tokens: DownloadTokens, base_url: str
    ) -> None:
        self._inner = inner
        self._root = root
        self._tokens = tokens
        self._base_url = base_url.rstrip("/")

    def open_write(self, relative_path: str) -> AbstractContextManager[BinaryIO]:
        return self._inner.open_write(relative_path)

    def sha256(self, relative_path: str) -> str | None:
        return self._inner.sha256(relative_path)

    def url(self, relative_path: str, expires_in: int) -> str:
        return f"{self._base_url}{DOWNLOAD_PATH}{self._tokens.issue(relative_path, expires_in)}"

    def file_for(self, token: str) -> Path:
        """The file a download token grants; Unauthenticated (bad, expired) or NotFound."""
        relative = self._tokens.verify(token)
        root = self._root.resolve()
        path = (root / relative).resolve()
        # A signed path is ours, but never trust it to stay under the folder.
        if not path.is_relative_to(root) or not path.is_file():
            raise NotFound("This export file does not exist.")
        return path
