"""API keys in PostgreSQL. Presenting a key looks its row up by id unscoped (the key names
its organization only once found, as sign-in does by email); everything else is scoped."""

from __future__ import annotations

import datetime as dt
import uuid

from psycopg import sql

from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.sql_parts import columns
from coaching.domain.api_keys import ApiKey

_COLUMNS = columns(
    "id, organization_id, name, scopes, created_by, created_at, expires_at, revoked_at,"
    " last_used_at"
)


def _key(row: dict) -> ApiKey:
    return ApiKey(**{**row, "scopes": tuple(row["scopes"])})


class PostgresApiKeys:
    def __init__(self, database: Database) -> None:
        self._db = database

    def add(self, key: ApiKey, digest: str) -> ApiKey:
        with self._db.transaction(key.organization_id) as conn:
            row = conn.execute(
                sql.SQL(
                    "INSERT INTO api_keys (id, organization_id, name, scopes, secret_hash,"
                    " created_by, expires_at) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING {}"
                ).format(_COLUMNS),
                (
                    key.id,
                    key.organization_id,
                    key.name,
                    list(key.scopes),
                    digest,
                    key.created_by,
                    key.expires_at,
                ),
            ).fetchone()
        return _key(row)

    def keys(self, org: uuid.UUID) -> list[ApiKey]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT {} FROM api_keys WHERE organization_id = %s"
                    " ORDER BY created_at DESC, id"
                ).format(_COLUMNS),
                (org,),
            ).fetchall()
        return [_key(row) for row in rows]

    def revoke(self, org: uuid.UUID, key_id: uuid.UUID, at: dt.datetime) -> ApiKey | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                sql.SQL(
                    "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, %s)"
                    " WHERE organization_id = %s AND id = %s RETURNING {}"
                ).format(_COLUMNS),
                (at, org, key_id),
            ).fetchone()
        return _key(row) if row else None

    def credential(self, key_id: uuid.UUID) -> tuple[ApiKey, str] | None:
        with self._db.transaction() as conn:  # the key itself is the credential
            row = conn.execute(
                sql.SQL("SELECT {}, secret_hash FROM api_keys WHERE id = %s").format(_COLUMNS),
                (key_id,),
            ).fetchone()
        if row is None:
            return None
        digest = row.pop("secret_hash")
        return _key(row), digest

    def mark_used(self, org: uuid.UUID, key_id: uuid.UUID, at: dt.datetime) -> None:
        with self._db.transaction(org) as conn:
            conn.execute(
                "UPDATE api_keys SET last_used_at = %s WHERE organization_id = %s AND id = %s",
                (at, org, key_id),
            )
