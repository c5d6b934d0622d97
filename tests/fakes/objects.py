"""ObjectStore in a dict."""

from __future__ import annotations

from coaching.domain.errors import NotFound
from coaching.ports.objects import UploadTarget


class MemoryObjects:
    """``fail_with`` makes copy raise, as S3 might."""

    def __init__(self, objects: dict[str, bytes] | None = None) -> None:
        self.objects = dict(objects or {})
        self.fail_with: Exception | None = None

    def put(self, key: str, data: bytes) -> None:
        self.objects[key] = data

    def get(self, key: str) -> bytes:
        if key not in self.objects:
            raise NotFound(f"Object {key!r} does not exist.")
        return self.objects[key]

    def exists(self, key: str) -> bool:
        return key in self.objects

    def copy(self, source_key: str, target_key: str) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.put(target_key, self.get(source_key))

    def delete(self, key: str) -> bool:
        return self.objects.pop(key, None) is not None

    def upload_target(self, key: str, max_bytes: int, expires_in_seconds: int) -> UploadTarget:
        raise NotImplementedError("uploads are tested against the folder store and S3")
