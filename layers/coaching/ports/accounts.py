"""Accounts of the local identity provider: users and their coach records (PostgreSQL
locally; in AWS Cognito keeps users), with the refresh tokens and organization settings
sign-in also reads."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from coaching.domain.accounts import UserAccount
from coaching.ports.organizations import Organizations
from coaching.ports.refresh_tokens import RefreshTokens

# What update_user may set: every adapter refuses any other field.
UPDATABLE_USER_FIELDS = frozenset(
    {
        "mfa_secret",
        "pending_mfa_secret",
        "mfa_enabled",
        "mfa_last_step",
        "last_login",
        "password_hash",
        "password_change_required",
        "role",
        "coach_id",
        "disabled_at",
    }
)


class UserAccounts(Protocol):
    def add_user(
        self,
        org: uuid.UUID,
        *,
        email: str,
        name: str,
        role: str,
        password_hash: str,
        coach_id: uuid.UUID | None,
        user_id: uuid.UUID | None = None,
    ) -> UserAccount:
        """Conflict when the email is taken (in any organization: it is the login).
        ``user_id``: the identity provider's id for the user (Cognito's ``sub``); unset, a
        new one."""
        ...

    def remove_user(self, org: uuid.UUID, user_id: uuid.UUID) -> None:
        """Undoes ``add_user`` (compensation: the user's other half could not be made)."""
        ...

    def remove_coach(self, org: uuid.UUID, coach_id: uuid.UUID) -> None:
        """Undoes ``add_coach`` of a coach record nothing refers to yet (compensation)."""
        ...

    def user_by_email(self, email: str) -> UserAccount | None: ...

    def user(self, org: uuid.UUID, user_id: uuid.UUID) -> UserAccount | None: ...

    def users(self, org: uuid.UUID) -> list[UserAccount]: ...

    def update_user(self, org: uuid.UUID, user_id: uuid.UUID, **fields: Any) -> None:
        """Sets these fields (of UPDATABLE_USER_FIELDS; ValueError for any other)."""
        ...

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
    ) -> uuid.UUID:
        """The coach record for this email (created, or the existing one)."""
        ...


@dataclass(frozen=True)
class AccountPorts:
    """What the local identity provider reads and writes, built once by the composition root."""

    users: UserAccounts
    refresh_tokens: RefreshTokens
    organizations: Organizations
