"""API keys in PostgreSQL. Presenting a key looks its row up by id unscoped (the key names
its organization only once found, as sign-in does by email); everything else is scoped."""

from __future__ import annotations

import datetime as dt
import uuid

from coaching.adapters.postgres.database import Database
from coaching.domain.api_keys import ApiKey

_COLUMNS = (
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
                "INSERT INTO api_keys (id, organization_id, name, scopes, secret_hash,"  # noqa: S608
                " created_by, expires_at) VALUES (%s, %s, %s, %s, %s, %s, %s)"
                f" RETURNING {_COLUMNS}",
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
                f"SELECT {_COLUMNS} FROM api_keys WHERE organization_id = %s"  # noqa: S608
                " ORDER BY created_at DESC, id",
                (org,),
            ).fetchall()
        return [_key(row) for row in rows]

    def revoke(self, org: uuid.UUID, key_id: uuid.UUID, at: dt.datetime) -> ApiKey | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, %s)"  # noqa: S608
                f" WHERE organization_id = %s AND id = %s RETURNING {_COLUMNS}",
                (at, org, key_id),
            ).fetchone()
        return _key(row) if row else None

    def credential(self, key_id: uuid.UUID) -> tuple[ApiKey, str] | None:
        with self._db.transaction() as conn:  # the key itself is the credential
            row = conn.execute(
                f"SELECT {_COLUMNS}, secret_hash FROM api_keys WHERE id = %s",  # noqa: S608
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
