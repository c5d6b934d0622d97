from __future__ import annotations

from typing import Protocol


class ObjectStore(Protocol):
    """Original transcripts and other files, by key (S3 in AWS, a folder locally)."""

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def copy(self, source_key: str, target_key: str) -> None:
        """Copy one object to another key, leaving the source as it is (NotFound if absent)."""
        ...
