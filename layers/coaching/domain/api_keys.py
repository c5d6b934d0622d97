"""Service-to-service API keys: what a key is, and its one textual form.

A key reads ``coach_<id>_<secret>``: the id (32 hex digits) finds its row without scanning,
the secret (256 random bits) is stored only as a SHA-256 digest. A digest is enough for a
random secret of that size (nothing to guess from a dictionary), and it is compared in
constant time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass

KEY_PREFIX = "coach_"
_KEY = re.compile(r"^coach_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class ApiKey:
    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    scopes: tuple[str, ...]
    created_by: str
    created_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = None

    @property
    def prefix(self) -> str:
        """What identifies the key once its secret is no longer shown."""
        return f"{KEY_PREFIX}{self.id.hex}_"

    def usable_at(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


def new_key(key_id: uuid.UUID) -> tuple[str, str]:
    """(the full key, shown once; the digest kept in the database)."""
    secret = secrets.token_urlsafe(32)
    return f"{KEY_PREFIX}{key_id.hex}_{secret}", secret_digest(secret)


def looks_like_key(credential: str) -> bool:
    return credential.startswith(KEY_PREFIX)


def parse_key(presented: str) -> tuple[uuid.UUID, str] | None:
    """(id, secret) of a key in our form; None for anything else."""
    match = _KEY.match(presented)
    return (uuid.UUID(match.group(1)), match.group(2)) if match else None


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def secret_matches(secret: str, digest: str) -> bool:
    return hmac.compare_digest(secret_digest(secret), digest)
