"""Where API keys are kept (their secrets only as digests)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Protocol

from coaching.domain.api_keys import ApiKey


class ApiKeyStore(Protocol):
    def add(self, key: ApiKey, digest: str) -> ApiKey:
        """Stores the key (with its creation time filled in)."""
        ...

    def keys(self, org: uuid.UUID) -> list[ApiKey]:
        """The organization's keys, revoked ones too, newest first."""
        ...

    def revoke(self, org: uuid.UUID, key_id: uuid.UUID, at: dt.datetime) -> ApiKey | None:
        """None if the organization has no such key; a revoked key stays revoked."""
        ...

    def credential(self, key_id: uuid.UUID) -> tuple[ApiKey, str] | None:
        """(key, digest of its secret) by id alone: the presented key is the credential, so
        its organization is not known yet."""
        ...

    def mark_used(self, org: uuid.UUID, key_id: uuid.UUID, at: dt.datetime) -> None: ...
