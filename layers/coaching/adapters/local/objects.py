"""ObjectStore on a folder: the local stand-in for the S3 transcript bucket."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from pathlib import Path

from coaching.adapters.local.upload_tokens import UploadGrant, UploadTokens
from coaching.domain.errors import NotFound, PermanentError
from coaching.ports.objects import UploadTarget

# Where `coach serve` takes uploads: PUT {base}/uploads/<token> (local_runtime/uploads.py).
UPLOAD_PATH = "/uploads/"


class FolderObjectStore:
    def __init__(
        self,
        root: Path,
        *,
        upload_base_url: str | None = None,
        upload_tokens: UploadTokens | None = None,
    ) -> None:
        self._root = root.resolve()
        self._upload_base_url = (upload_base_url or "").rstrip("/")
        self._tokens = upload_tokens

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

    def delete(self, key: str) -> bool:
        path = self._path(key)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        # A session's own folder (transcripts/<org>/<session>/) goes too once empty; folders
        # above it are shared with other sessions, which may be writing into them right now.
        if path.parent != self._root:
            with contextlib.suppress(OSError):
                path.parent.rmdir()
        return True

    def upload_target(self, key: str, max_bytes: int, expires_in_seconds: int) -> UploadTarget:
        if self._tokens is None or not self._upload_base_url:
            raise PermanentError(
                "Uploads by URL are not available here.",
                hint="Run `coach serve`, or send the file to POST /v1/sessions.",
            )
        self._path(key)  # refuses a key outside the store now, not at upload time
        expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=expires_in_seconds)
        token = self._tokens.issue(key, max_bytes, expires_at)
        return UploadTarget(
            url=f"{self._upload_base_url}{UPLOAD_PATH}{token}",
            method="PUT",
            headers={"Content-Type": "application/octet-stream"},
            expires_at=expires_at,
            max_bytes=max_bytes,
        )

    def accept_upload(self, token: str) -> UploadGrant:
        """What an upload token allows (Unauthenticated if forged or expired)."""
        if self._tokens is None:
            raise NotFound("Uploads by URL are not available here.")
        grant = self._tokens.verify(token)
        self._path(grant.key)
        return grant
