"""Refresh tokens in PostgreSQL (the local identity provider).

A refresh token is itself the credential: its look-up runs unscoped, on purpose; everything
else is scoped.
"""

from __future__ import annotations

import datetime as dt
import uuid

from coaching.adapters.postgres.database import Database
from coaching.domain.accounts import RefreshTokenRecord


class PostgresRefreshTokens:
    def __init__(self, database: Database) -> None:
        self._db = database

    def save_refresh_token(
        self,
        org: uuid.UUID,
        *,
        user_id: uuid.UUID,
        family_id: uuid.UUID,
        token_hash: str,
        expires_at: dt.datetime,
    ) -> None:
        with self._db.transaction(org) as conn:
            conn.execute(
                "INSERT INTO refresh_tokens (organization_id, user_id, family_id, token_hash,"
                " expires_at) VALUES (%s, %s, %s, %s, %s)",
                (org, user_id, family_id, token_hash, expires_at),
            )

    def use_refresh_token(self, token_hash: str) -> tuple[RefreshTokenRecord | None, bool]:
        """(the token's record, whether this call used it first). Unscoped: the token is the
        credential. A second use returns False: the caller revokes the family."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT id, organization_id, user_id, family_id, expires_at, used_at, revoked_at"
                " FROM refresh_tokens WHERE token_hash = %s FOR UPDATE",
                (token_hash,),
            ).fetchone()
            if row is None:
                return None, False
            first = row["used_at"] is None
            if first:
                conn.execute(
                    "UPDATE refresh_tokens SET used_at = now() WHERE id = %s", (row["id"],)
                )
        return RefreshTokenRecord.model_validate(row), first

    def revoke_user_refresh_tokens(self, org: uuid.UUID, user_id: uuid.UUID) -> int:
        with self._db.transaction(org) as conn:
            return conn.execute(
                "UPDATE refresh_tokens SET revoked_at = now() WHERE organization_id = %s"
                " AND user_id = %s AND revoked_at IS NULL",
                (org, user_id),
            ).rowcount

    def revoke_family(self, org: uuid.UUID, family_id: uuid.UUID) -> int:
        with self._db.transaction(org) as conn:
            return conn.execute(
                "UPDATE refresh_tokens SET revoked_at = now() WHERE organization_id = %s"
                " AND family_id = %s AND revoked_at IS NULL",
                (org, family_id),
            ).rowcount
