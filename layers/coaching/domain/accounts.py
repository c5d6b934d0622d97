"""User accounts as the identity provider and the admin tools see them."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel

from coaching.domain.identity import Role


class UserAccount(BaseModel):
    id: uuid.UUID
    organization_id: uuid.UUID
    email: str
    name: str
    role: Role
    coach_id: uuid.UUID | None = None
    password_hash: str
    mfa_secret: str | None = None  # the confirmed authenticator's seed
    pending_mfa_secret: str | None = None  # a new one, until its first code confirms it
    mfa_enabled: bool = False
    mfa_last_step: int | None = None
    # A temporary password an admin was shown: sign-in asks for the person's own first.
    password_change_required: bool = False
    disabled_at: dt.datetime | None = None
    last_login: dt.datetime | None = None

    def claims(self) -> dict[str, str]:
        """What the authorizer hands the API (the names Cognito's ID token uses)."""
        claims = {
            "sub": str(self.id),
            "custom:organization_id": str(self.organization_id),
            "custom:role": self.role.value,
        }
        if self.coach_id is not None:
            claims["custom:coach_id"] = str(self.coach_id)
        return claims


class RefreshTokenRecord(BaseModel):
    id: uuid.UUID
    organization_id: uuid.UUID
    user_id: uuid.UUID
    family_id: uuid.UUID
    expires_at: dt.datetime
    used_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
