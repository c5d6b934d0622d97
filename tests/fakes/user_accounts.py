"""UserAccounts in memory: users (the email unique in any case, across organizations) and
their coach records."""

from __future__ import annotations

import uuid
from typing import Any

from coaching.domain.accounts import UserAccount
from coaching.domain.errors import Conflict
from coaching.domain.identity import Role
from coaching.ports.accounts import UPDATABLE_USER_FIELDS
from tests.fakes.memory import MemoryData


class FakeUserAccounts:
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    def _in(self, org: uuid.UUID, user_id: uuid.UUID) -> UserAccount | None:
        user = self.data.users.get(user_id)
        return user if user is not None and user.organization_id == org else None

    def _set(self, user: UserAccount, **fields: Any) -> None:
        if "role" in fields:  # stored as its text, read back as the enum (as the table does)
            fields["role"] = Role(fields["role"])
        self.data.users[user.id] = user.model_copy(update=fields)

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
        if self.user_by_email(email) is not None:
            raise Conflict(f"An account with the email {email} already exists.")
        user = UserAccount(
            id=user_id or uuid.uuid4(),
            organization_id=org,
            email=email,
            name=name,
            role=role,
            password_hash=password_hash,
            coach_id=coach_id,
        )
        self.data.users[user.id] = user
        return user.model_copy()

    def remove_user(self, org: uuid.UUID, user_id: uuid.UUID) -> None:
        if self._in(org, user_id) is not None:
            del self.data.users[user_id]

    def user_by_email(self, email: str) -> UserAccount | None:
        wanted = email.lower()
        return next(
            (u.model_copy() for u in self.data.users.values() if u.email.lower() == wanted), None
        )

    def user(self, org: uuid.UUID, user_id: uuid.UUID) -> UserAccount | None:
        user = self._in(org, user_id)
        return user.model_copy() if user else None

    def users(self, org: uuid.UUID) -> list[UserAccount]:
        mine = [u for u in self.data.users.values() if u.organization_id == org]
        return sorted(mine, key=lambda u: (u.role.value, u.email))

    def update_user(self, org: uuid.UUID, user_id: uuid.UUID, **fields: Any) -> None:
        unknown = set(fields) - UPDATABLE_USER_FIELDS
        if unknown:
            raise ValueError(f"not user fields: {sorted(unknown)}")
        user = self._in(org, user_id)
        if user is not None:
            self._set(user, **fields)

    def claim_mfa_step(self, org: uuid.UUID, user_id: uuid.UUID, step: int) -> bool:
        user = self._in(org, user_id)
        if user is None or (user.mfa_last_step is not None and user.mfa_last_step >= step):
            return False
        self._set(user, mfa_last_step=step)
        return True

    def confirm_pending_mfa(
        self, org: uuid.UUID, user_id: uuid.UUID, pending_secret: str, step: int
    ) -> bool:
        user = self._in(org, user_id)
        if user is None or user.pending_mfa_secret != pending_secret:
            return False
        self._set(
            user,
            mfa_secret=pending_secret,
            pending_mfa_secret=None,
            mfa_enabled=True,
            mfa_last_step=step,
        )
        return True

    def add_coach(
        self, org: uuid.UUID, *, email: str, name: str, lead_coach_id: uuid.UUID | None = None
    ) -> uuid.UUID:
        coaches = self.data.coaches.setdefault(org, {})
        coach_id = next((cid for cid, e in coaches.items() if e == email), None)
        if coach_id is None:
            coach_id = uuid.uuid4()
            coaches[coach_id] = email
        if lead_coach_id is not None:
            self.data.coach_leads[coach_id] = lead_coach_id
        return coach_id

    def remove_coach(self, org: uuid.UUID, coach_id: uuid.UUID) -> None:
        self.data.coaches.get(org, {}).pop(coach_id, None)
        self.data.coach_leads.pop(coach_id, None)
