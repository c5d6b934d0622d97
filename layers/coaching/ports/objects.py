from __future__ import annotations

from typing import Protocol


class ObjectStore(Protocol):
    """Original transcripts and other files, by key (S3 in AWS, a folder locally)."""

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...
