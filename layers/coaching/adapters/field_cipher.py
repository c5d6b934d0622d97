"""FieldCipher by envelope encryption: AES-256-GCM under per-organization data keys.

A data key (random, 32 bytes, from the KeyVault) yields two keys by HKDF: one encrypts, one
keys the HMAC-SHA256 index, so the index reveals nothing the encryption key protects. A
ciphertext is ``01 | version (4 bytes) | nonce (12) | AES-GCM(field value)`` with the field,
organization and record as associated data. Unwrapped keys stay in memory for the process
(one KMS call per organization and version, not per field); the current version is read
from the store on every write, so a rotation by another process is seen at once.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from coaching.domain.errors import FieldDecryptionError
from coaching.ports.field_crypto import DataKeyStore, KeyVault, StoredDataKey

_FORMAT = 1
_HEADER = 5  # format byte + version
_NONCE = 12


class EnvelopeFieldCipher:
    def __init__(self, vault: KeyVault, keys: DataKeyStore) -> None:
        self._vault = vault
        self._keys = keys
        self._derived: dict[tuple[uuid.UUID, int], tuple[bytes, bytes]] = {}
        self._lock = threading.Lock()

    # -- FieldCipher -------------------------------------------------------------------

    def encrypt(self, org: uuid.UUID, record_id: uuid.UUID, field: str, value: str) -> bytes:
        stored = self._current(org)
        encryption_key, _ = self._derive(stored)
        nonce = os.urandom(_NONCE)
        sealed = AESGCM(encryption_key).encrypt(
            nonce, value.encode("utf-8"), _associated(org, record_id, field)
        )
        return bytes([_FORMAT]) + stored.version.to_bytes(4, "big") + nonce + sealed

    def decrypt(self, org: uuid.UUID, record_id: uuid.UUID, field: str, ciphertext: bytes) -> str:
        version = self.version_of(ciphertext)
        stored = next((k for k in self._keys.versions(org) if k.version == version), None)
        if stored is None:
            raise FieldDecryptionError(f"The key that encrypted a {field} field is gone.")
        encryption_key, _ = self._derive(stored)
        nonce, sealed = ciphertext[_HEADER : _HEADER + _NONCE], ciphertext[_HEADER + _NONCE :]
        try:
            plain = AESGCM(encryption_key).decrypt(
                nonce, sealed, _associated(org, record_id, field)
            )
        except InvalidTag:
            raise FieldDecryptionError(
                f"A {field} field does not decrypt for this record: it was made for another."
            ) from None
        return plain.decode("utf-8")

    def index(self, org: uuid.UUID, field: str, value: str) -> bytes:
        return _index(self._derive(self._current(org))[1], field, value)

    def lookup_indexes(self, org: uuid.UUID, field: str, value: str) -> list[bytes]:
        return [
            _index(self._derive(stored)[1], field, value) for stored in self._keys.versions(org)
        ]

    def rotate(self, org: uuid.UUID) -> int:
        versions = self._keys.versions(org)
        return self._add(org, versions[-1].version + 1 if versions else 1).version

    def current_version(self, org: uuid.UUID) -> int:
        return self._current(org).version

    def version_of(self, ciphertext: bytes) -> int:
        if len(ciphertext) <= _HEADER + _NONCE or ciphertext[0] != _FORMAT:
            raise FieldDecryptionError("An encrypted field is not in a known format.")
        return int.from_bytes(ciphertext[1:_HEADER], "big")

    # -- keys --------------------------------------------------------------------------

    def _current(self, org: uuid.UUID) -> StoredDataKey:
        versions = self._keys.versions(org)
        return versions[-1] if versions else self._add(org, 1)

    def _add(self, org: uuid.UUID, version: int) -> StoredDataKey:
        fresh = self._vault.new_data_key(org)
        return self._keys.add(
            StoredDataKey(
                organization_id=org, version=version, kek_id=fresh.kek_id, wrapped_key=fresh.wrapped
            )
        )

    def _derive(self, stored: StoredDataKey) -> tuple[bytes, bytes]:
        slot = (stored.organization_id, stored.version)
        with self._lock:
            if slot in self._derived:
                return self._derived[slot]
        data_key = self._vault.unwrap(stored.organization_id, stored.wrapped_key, stored.kek_id)
        derived = (
            _hkdf(data_key, b"coach field encryption"),
            _hkdf(data_key, b"coach field index"),
        )
        with self._lock:
            self._derived[slot] = derived
        return derived


def normalised(value: str) -> str:
    """What the index hashes: an address is the same whatever its case or spacing."""
    return value.strip().casefold()


def _index(index_key: bytes, field: str, value: str) -> bytes:
    return hmac.new(index_key, f"{field}|{normalised(value)}".encode(), hashlib.sha256).digest()


def _associated(org: uuid.UUID, record_id: uuid.UUID, field: str) -> bytes:
    return f"coach-field|{field}|{org}|{record_id}".encode()


def _hkdf(data_key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(data_key)
