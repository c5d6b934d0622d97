"""KeyVault on a key file under the local home: the local stand-in for KMS.

``$COACH_HOME/secrets/field-keys.json`` (mode 0600, created on first use) holds versions of a
random 256-bit key encryption key and which one is current. Data keys are wrapped with
AES-GCM, the organization bound in as associated data (KMS's encryption context). Rotation
adds a version; older versions stay until no data key is wrapped with them any more.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from coaching.domain.errors import PermanentError
from coaching.ports.field_crypto import WrappedKey

FILE_NAME = "field-keys.json"
_NONCE = 12


class LocalKeyVault:
    def __init__(self, secrets_dir: Path) -> None:
        self._dir = secrets_dir
        self._path = secrets_dir / FILE_NAME

    def new_data_key(self, org: uuid.UUID) -> WrappedKey:
        ring = self._ring()
        current = ring["current"]
        data_key = secrets.token_bytes(32)
        nonce = secrets.token_bytes(_NONCE)
        wrapped = nonce + AESGCM(_key(ring, current)).encrypt(nonce, data_key, _context(org))
        return WrappedKey(plaintext=data_key, wrapped=wrapped, kek_id=current)

    def unwrap(self, org: uuid.UUID, wrapped: bytes, kek_id: str) -> bytes:
        ring = self._ring()
        if kek_id not in ring["keys"]:
            raise PermanentError(
                f"The local key {kek_id} that wrapped a data key is not in {self._path}.",
                hint="Restore the secrets folder from its backup.",
            )
        try:
            return AESGCM(_key(ring, kek_id)).decrypt(
                wrapped[:_NONCE], wrapped[_NONCE:], _context(org)
            )
        except InvalidTag:
            raise PermanentError("A data key does not belong to this organization.") from None

    def rotate(self) -> str:
        with self._locked():
            ring = self._ring()
            number = 1 + max(int(name.removeprefix("local-")) for name in ring["keys"])
            current = f"local-{number}"
            ring["keys"][current] = _new_key()
            ring["current"] = current
            self._write(ring)
        return current

    def retire(self, kept: set[str]) -> list[str]:
        with self._locked():
            ring = self._ring()
            gone = [k for k in ring["keys"] if k not in kept and k != ring["current"]]
            for name in gone:
                del ring["keys"][name]
            if gone:
                self._write(ring)
        return gone

    def key_ids(self) -> list[str]:
        return list(self._ring()["keys"])

    # -- the file ----------------------------------------------------------------------

    def _ring(self) -> dict:
        if not self._path.exists():
            self._create()
        return json.loads(self._path.read_text(encoding="utf-8"))

    def _create(self) -> None:
        """Atomically, as the token signing key: of two processes starting at once, one wins."""
        self._dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        draft = self._draft({"current": "local-1", "keys": {"local-1": _new_key()}})
        try:
            os.link(draft, self._path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()

    def _write(self, ring: dict) -> None:
        os.replace(self._draft(ring), self._path)

    def _draft(self, ring: dict) -> Path:
        draft = self._dir / f".field-keys.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(ring, handle)
        return draft

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One rotation or retirement at a time (readers need no lock: writes are renames)."""
        self._ring()
        fd = os.open(self._dir / ".field-keys.lock", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


def _new_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _key(ring: dict, kek_id: str) -> bytes:
    return base64.b64decode(ring["keys"][kek_id])


def _context(org: uuid.UUID) -> bytes:
    return f"coach-data-key|{org}".encode()
