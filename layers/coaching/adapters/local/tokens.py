"""Signed tokens of the local identity provider (JWT, HS256, one key under the local home).

Access tokens carry the claims Cognito's ID token carries, so the API reads both alike.
Challenge sessions are short-lived tokens good for one purpose (answering an MFA challenge).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import uuid
from pathlib import Path

import jwt

from coaching.domain.errors import Unauthenticated

ISSUER = "coach-local"
AUDIENCE = "coaching-api"
_ALGORITHM = "HS256"
CHALLENGE_SECONDS = 300


class LocalTokens:
    def __init__(self, key: bytes, *, access_minutes: int = 15, clock=None) -> None:
        self._key = key
        self._access = dt.timedelta(minutes=access_minutes)
        self._now = clock or (lambda: dt.datetime.now(dt.UTC))

    @property
    def access_seconds(self) -> int:
        return int(self._access.total_seconds())

    def issue_access(self, claims: dict[str, str]) -> str:
        return self._issue({**claims, "token_use": "id"}, self._access)

    def verify_access(self, token: str) -> dict[str, str]:
        claims = self._verify(token)
        if claims.get("token_use") != "id":
            raise Unauthenticated("This token does not sign you in.", hint="Sign in again.")
        return claims

    def issue_challenge(
        self, user_id: uuid.UUID, org: uuid.UUID, purpose: str, seconds: int = CHALLENGE_SECONDS
    ) -> str:
        claims = {"sub": str(user_id), "custom:organization_id": str(org), "token_use": purpose}
        return self._issue(claims, dt.timedelta(seconds=seconds))

    def verify_challenge(self, token: str, *purposes: str) -> tuple[uuid.UUID, uuid.UUID, str]:
        """(user id, organization id, purpose) of a challenge session for one of ``purposes``."""
        claims = self._verify(token)
        if claims.get("token_use") not in purposes:
            raise Unauthenticated("This session cannot be used here.", hint="Sign in again.")
        return (
            uuid.UUID(claims["sub"]),
            uuid.UUID(claims["custom:organization_id"]),
            claims["token_use"],
        )

    def _issue(self, claims: dict[str, str], lifetime: dt.timedelta) -> str:
        now = self._now()
        payload = {
            **claims,
            "iss": ISSUER,
            "aud": AUDIENCE,
            # To the microsecond: a token issued just after a logout must count as newer
            # than it (usecases/token_revocation.py); a JWT NumericDate may have a fraction.
            "iat": now.timestamp(),
            "exp": now + lifetime,
            "jti": secrets.token_hex(8),
        }
        return jwt.encode(payload, self._key, algorithm=_ALGORITHM)

    def _verify(self, token: str) -> dict[str, str]:
        try:
            return jwt.decode(
                token,
                self._key,
                algorithms=[_ALGORITHM],  # never "none", never a key confusion
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
                leeway=5,
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("Your sign-in has expired.", hint="Sign in again.") from None
        except jwt.InvalidTokenError:
            raise Unauthenticated(
                "The sign-in token is not valid.", hint="Sign in again."
            ) from None


def signing_key(configured: str | None, secrets_dir: Path) -> bytes:
    """The configured key, or a random one created once under the local home (mode 0600)."""
    if configured:
        return configured.encode("utf-8")
    path = secrets_dir / "token-signing.key"
    if not path.exists():
        secrets_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        draft = secrets_dir / f".token-signing.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_hex(32).encode("ascii"))
        try:
            os.link(draft, path)  # atomic: of two processes starting at once, one key wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_bytes()
