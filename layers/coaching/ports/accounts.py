"""Accounts of the local identity provider: users, coach records, organization settings and
refresh tokens (PostgreSQL locally; in AWS Cognito keeps users and tokens)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Protocol

from coaching.domain.accounts import RefreshTokenRecord, UserAccount


class AccountStore(Protocol):
    def add_user(
        self,
        org: uuid.UUID,
        *,
        email: str,
        name: str,
        role: str,
        password_hash: str,
        coach_id: uuid.UUID | None,
    ) -> UserAccount:
        """Conflict when the email is taken (in any organization: it is the login)."""
        ...

    def user_by_email(self, email: str) -> UserAccount | None: ...

    def user(self, org: uuid.UUID, user_id: uuid.UUID) -> UserAccount | None: ...

    def users(self, org: uuid.UUID) -> list[UserAccount]: ...

    def update_user(self, org: uuid.UUID, user_id: uuid.UUID, **fields: Any) -> None: ...

    def claim_mfa_step(self, org: uuid.UUID, user_id: uuid.UUID, step: int) -> bool:
        """Records a TOTP code's time step as used; False if it (or a later one) was used."""
        ...

    def confirm_pending_mfa(
        self, org: uuid.UUID, user_id: uuid.UUID, pending_secret: str, step: int
    ) -> bool:
        """Makes ``pending_secret`` the user's authenticator (its code of ``step`` used); False
        if the pending secret is no longer that one."""
        ...

    def add_coach(
        self, org: uuid.UUID, *, email: str, name: str, lead_coach_id: uuid.UUID | None = None
    ) -> uuid.UUID: ...

    def organization_exists(self, org: uuid.UUID) -> bool:
        """Whether the organization is on record (a verified token may still name one that
        is not: a deleted one, or a misconfigured account)."""
        ...

    def organization_settings(self, org: uuid.UUID) -> dict[str, Any]: ...

    def update_organization_settings(self, org: uuid.UUID, changes: dict[str, Any]) -> dict: ...

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
