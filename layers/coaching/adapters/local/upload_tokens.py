"""Signed upload tokens for `coach serve`: the local stand-in for S3's presigned POST.

A token names one object key and a size limit, and expires. It is a JWT (HS256) under a key
derived from the local signing key, for its own audience: it never passes for a sign-in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

import jwt
from pydantic import BaseModel

from coaching.domain.errors import Unauthenticated

ISSUER = "coach-local"
AUDIENCE = "transcript-upload"
_ALGORITHM = "HS256"


class UploadGrant(BaseModel):
    key: str
    max_bytes: int


class UploadTokens:
    def __init__(self, signing_key: bytes, *, clock=None) -> None:
        # A key of its own: an upload token and a sign-in token can never stand in for each other.
        self._key = hmac.new(signing_key, b"transcript-upload", hashlib.sha256).digest()
        self._now = clock or (lambda: dt.datetime.now(dt.UTC))

    def issue(self, key: str, max_bytes: int, expires_at: dt.datetime) -> str:
        payload = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": self._now(),
            "exp": expires_at,
            "jti": secrets.token_hex(8),
            "key": key,
            "max": max_bytes,
        }
        return jwt.encode(payload, self._key, algorithm=_ALGORITHM)

    def verify(self, token: str) -> UploadGrant:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[_ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["exp", "iat", "iss", "aud", "key", "max"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated(
                "This upload link has expired.", hint="Ask for a new upload URL."
            ) from None
        except jwt.InvalidTokenError:
            raise Unauthenticated(
                "This upload link is not valid.", hint="Ask for a new upload URL."
            ) from None
        return UploadGrant(key=claims["key"], max_bytes=int(claims["max"]))
