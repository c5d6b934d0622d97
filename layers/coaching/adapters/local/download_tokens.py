"""Signed download links for `coach serve`: the local stand-in for S3's presigned GET of an
export's file. A token names one path under the exports folder and expires; it is a JWT
(HS256) under a key of its own, so it never passes for a sign-in or an upload."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import jwt

from coaching.domain.errors import Unauthenticated

ISSUER = "coach-local"
AUDIENCE = "export-download"
_ALGORITHM = "HS256"


class DownloadTokens:
    def __init__(self, signing_key: bytes, *, clock=None) -> None:
        self._key = hmac.new(signing_key, b"export-download", hashlib.sha256).digest()
        self._now = clock or (lambda: dt.datetime.now(dt.UTC))

    def issue(self, path: str, expires_in: int) -> str:
        now = self._now()
        payload = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + dt.timedelta(seconds=expires_in),
            "path": path,
        }
        return jwt.encode(payload, self._key, algorithm=_ALGORITHM)

    def verify(self, token: str) -> str:
        """The path the token grants; Unauthenticated when forged or expired."""
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[_ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["exp", "iat", "iss", "aud", "path"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated(
                "This download link has expired.", hint="Open the export job again for a new one."
            ) from None
        except jwt.InvalidTokenError:
            raise Unauthenticated("This download link is not valid.") from None
        return str(claims["path"])
