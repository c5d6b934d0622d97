"""Rotating refresh tokens of the local identity provider (in AWS Cognito keeps them)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Protocol

from coaching.domain.accounts import RefreshTokenRecord


class RefreshTokens(Protocol):
    def save_refresh_token(
        self,
        org: uuid.UUID,
        *,
        user_id: uuid.UUID,
        family_id: uuid.UUID,
        token_hash: str,
        expires_at: dt.datetime,
    ) -> None: ...

    def use_refresh_token(self, token_hash: str) -> tuple[RefreshTokenRecord | None, bool]:
        """(the token's record, whether this call used it first)."""
        ...

    def revoke_family(self, org: uuid.UUID, family_id: uuid.UUID) -> int: ...

    def revoke_user_refresh_tokens(self, org: uuid.UUID, user_id: uuid.UUID) -> int:
        """Every refresh token of the user, in every family."""
        ...
