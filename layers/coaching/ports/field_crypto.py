"""Field-level encryption of personal details (envelope encryption).

Each organization has data keys (one version per rotation), stored only wrapped by a key
encryption key: KMS in AWS, a key under ``$COACH_HOME/secrets`` locally (the KeyVault). A
FieldCipher encrypts one field of one record with the organization's current data key, the
field, organization and record bound in as associated data (a ciphertext moved to another
row or field does not decrypt), and gives a keyed hash of a value, so a record can be found
by exact value without decrypting anything.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class WrappedKey:
    """A data key: its plaintext (kept in memory only) and the same key wrapped by
    ``kek_id`` (the only form stored)."""

    plaintext: bytes
    wrapped: bytes
    kek_id: str


class KeyVault(Protocol):
    """The key encryption key: KMS in AWS, a local key file elsewhere."""

    def new_data_key(self, org: uuid.UUID) -> WrappedKey:
        """A fresh random data key for ``org``, wrapped by the current key encryption key."""
        ...

    def unwrap(self, org: uuid.UUID, wrapped: bytes, kek_id: str) -> bytes:
        """The data key's plaintext; PermanentError if it was not wrapped for ``org``."""
        ...

    def rotate(self) -> str:
        """Makes a new key encryption key current (locally a new key version; KMS rotates its
        own key material, so there it stays the configured key); returns its id."""
        ...

    def retire(self, kept: set[str]) -> list[str]:
        """Forgets the key encryption keys not in ``kept`` (none still wraps a data key);
        returns those forgotten. KMS keys are retired in KMS, not here."""
        ...


@dataclass(frozen=True)
class StoredDataKey:
    organization_id: uuid.UUID
    version: int
    kek_id: str
    wrapped_key: bytes
    created_at: dt.datetime | None = None


class DataKeyStore(Protocol):
    """Where the wrapped data keys live (the database, beside the fields they encrypt)."""

    def versions(self, org: uuid.UUID) -> list[StoredDataKey]:
        """Oldest first; the last one is current."""
        ...

    def add(self, key: StoredDataKey) -> StoredDataKey:
        """Stores the version unless it exists; returns what is stored under it (a concurrent
        writer's key wins, so every process uses the same one)."""
        ...

    def retire_older_than(self, org: uuid.UUID, version: int) -> int:
        """Deletes the organization's versions before ``version`` (a system task); Conflict
        while an encrypted field still uses one."""
        ...

    def organizations_with_keys(self) -> list[uuid.UUID]:
        """System task: the organizations that have encrypted something."""
        ...

    def kek_ids_in_use(self) -> set[str]:
        """Every key encryption key some stored data key is wrapped with (system task)."""
        ...


class FieldCipher(Protocol):
    def encrypt(self, org: uuid.UUID, record_id: uuid.UUID, field: str, value: str) -> bytes:
        """``value`` under the organization's current data key."""
        ...

    def decrypt(self, org: uuid.UUID, record_id: uuid.UUID, field: str, ciphertext: bytes) -> str:
        """PermanentError if the ciphertext was not made for this field of this record."""
        ...

    def index(self, org: uuid.UUID, field: str, value: str) -> bytes:
        """The keyed hash new writes store for ``value`` (normalised: trimmed, lower case)."""
        ...

    def lookup_indexes(self, org: uuid.UUID, field: str, value: str) -> list[bytes]:
        """The hash of ``value`` under every live key version: a search matches rows written
        before and after a rotation."""
        ...

    def rotate(self, org: uuid.UUID) -> int:
        """Adds a new data key version for the organization; returns it."""
        ...

    def current_version(self, org: uuid.UUID) -> int: ...

    def version_of(self, ciphertext: bytes) -> int: ...


@dataclass(frozen=True)
class FieldEncryption:
    """The parts of field encryption, built once by the composition root."""

    vault: KeyVault
    cipher: FieldCipher
    data_keys: DataKeyStore
