"""RefreshTokens in memory, by token hash."""

from __future__ import annotations

import datetime as dt
import uuid

from coaching.domain.accounts import RefreshTokenRecord
from tests.fakes.memory import MemoryData


class FakeRefreshTokens:
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    def save_refresh_token(
        self,
        org: uuid.UUID,
        *,
        user_id: uuid.UUID,
        family_id: uuid.UUID,
        token_hash: str,
        expires_at: dt.datetime,
    ) -> None:
        self.data.refresh_tokens[token_hash] = RefreshTokenRecord(
            id=uuid.uuid4(),
            organization_id=org,
            user_id=user_id,
            family_id=family_id,
            expires_at=expires_at,
        )

    def use_refresh_token(self, token_hash: str) -> tuple[RefreshTokenRecord | None, bool]:
        record = self.data.refresh_tokens.get(token_hash)
        if record is None:
            return None, False
        first = record.used_at is None
        if first:
            self.data.refresh_tokens[token_hash] = record.model_copy(
                update={"used_at": self.data.now()}
            )
        return record.model_copy(), first  # as read, before this use

    def _revoke(self, org: uuid.UUID, matches) -> int:
        revoked = 0
        for token_hash, record in self.data.refresh_tokens.items():
            if record.organization_id == org and record.revoked_at is None and matches(record):
                self.data.refresh_tokens[token_hash] = record.model_copy(
                    update={"revoked_at": self.data.now()}
                )
                revoked += 1
        return revoked

    def revoke_family(self, org: uuid.UUID, family_id: uuid.UUID) -> int:
        return self._revoke(org, lambda record: record.family_id == family_id)

    def revoke_user_refresh_tokens(self, org: uuid.UUID, user_id: uuid.UUID) -> int:
        return self._revoke(org, lambda record: record.user_id == user_id)
