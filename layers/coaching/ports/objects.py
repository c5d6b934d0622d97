from __future__ import annotations

import datetime as dt
from typing import Protocol

from pydantic import BaseModel


class UploadTarget(BaseModel):
    """Where and how a browser sends one file straight to object storage.

    ``method`` POST: a multipart form with ``fields`` first, then the file as ``file`` (S3's
    presigned POST). PUT: the file as the raw body, with ``headers``.
    """

    url: str
    method: str
    fields: dict[str, str] = {}
    headers: dict[str, str] = {}
    expires_at: dt.datetime
    max_bytes: int


class ObjectStore(Protocol):
    """Original transcripts and other files, by key (S3 in AWS, a folder locally)."""

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def copy(self, source_key: str, target_key: str) -> None:
        """Copy one object to another key, leaving the source as it is (NotFound if absent)."""
        ...

    def delete(self, key: str) -> bool:
        """Removes the object; False if there was none (deleting twice is not an error)."""
        ...

    def upload_target(self, key: str, max_bytes: int, expires_in_seconds: int) -> UploadTarget:
        """A signed, expiring upload of at most ``max_bytes`` to exactly ``key``."""
        ...
