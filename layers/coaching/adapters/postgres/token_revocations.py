"""Ended sign-ins in PostgreSQL: one moment per user, read on every signed-in request."""

from __future__ import annotations

import datetime as dt
import uuid

from coaching.adapters.postgres.database import Database


class PostgresTokenRevocations:
    def __init__(self, database: Database) -> None:
        self._db = database

    def revoke_tokens(self, org: uuid.UUID, user_id: uuid.UUID, issued_before: dt.datetime) -> None:
        with self._db.transaction(org) as conn:
            conn.execute(
                "INSERT INTO token_revocations (organization_id, user_id, tokens_valid_after)"
                " VALUES (%s, %s, %s) ON CONFLICT (organization_id, user_id) DO UPDATE"
                " SET tokens_valid_after = GREATEST(token_revocations.tokens_valid_after,"
                " EXCLUDED.tokens_valid_after)",
                (org, user_id, issued_before),
            )

    def tokens_valid_after(self, org: uuid.UUID, user_id: uuid.UUID) -> dt.datetime | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "SELECT tokens_valid_after FROM token_revocations"
                " WHERE organization_id = %s AND user_id = %s",
                (org, user_id),
            ).fetchone()
        return row["tokens_valid_after"] if row else None
