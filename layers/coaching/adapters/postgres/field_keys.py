"""DataKeyStore on PostgreSQL: wrapped data keys by organization and version (migration 0012)."""

from __future__ import annotations

import uuid

from psycopg import sql

from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.sql_parts import columns
from coaching.domain.errors import Conflict
from coaching.ports.field_crypto import StoredDataKey

_COLUMNS = columns("organization_id, version, kek_id, wrapped_key, created_at")
# Every encrypted column, by table: a key version goes only when none of them uses it.
ENCRYPTED_COLUMNS = {"clients": ("email_ciphertext", "phone_ciphertext")}


def key_version_sql(column: str) -> sql.Composed:
    """The data key version of a ciphertext column, in SQL (bytes 2-5, see field_cipher)."""
    return sql.SQL("('x' || encode(substring({} from 2 for 4), 'hex'))::bit(32)::int").format(
        sql.Identifier(column)
    )


class PostgresDataKeys:
    def __init__(self, database: Database) -> None:
        self._db = database

    def versions(self, org: uuid.UUID) -> list[StoredDataKey]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT {} FROM field_keys WHERE organization_id = %s ORDER BY version"
                ).format(_COLUMNS),
                (org,),
            ).fetchall()
        return [_key(row) for row in rows]

    def add(self, key: StoredDataKey) -> StoredDataKey:
        org = key.organization_id
        with self._db.transaction(org) as conn:
            conn.execute(
                "INSERT INTO field_keys (organization_id, version, kek_id, wrapped_key)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (org, key.version, key.kek_id, key.wrapped_key),
            )
            row = conn.execute(
                sql.SQL(
                    "SELECT {} FROM field_keys WHERE organization_id = %s AND version = %s"
                ).format(_COLUMNS),
                (org, key.version),
            ).fetchone()
        return _key(row)

    def retire_older_than(self, org: uuid.UUID, version: int) -> int:
        # The owner: the application role may not delete keys (migration 0012). The tables
        # are locked against writes while checking, so no field can take an old key between
        # the check and the delete (a write that read the old version before finds it gone
        # and encrypts again: PostgresContactDetails._write).
        with self._db.transaction() as conn:
            for table, encrypted in ENCRYPTED_COLUMNS.items():
                conn.execute(
                    sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(
                        sql.Identifier(table)
                    )
                )
                in_use = sql.SQL(" OR ").join(
                    sql.SQL("{} < %(version)s").format(key_version_sql(c)) for c in encrypted
                )
                row = conn.execute(
                    sql.SQL(
                        "SELECT count(*) AS n FROM {} WHERE organization_id = %(org)s AND ({})"
                    ).format(sql.Identifier(table), in_use),
                    {"org": org, "version": version},
                ).fetchone()
                if row["n"]:
                    raise Conflict(
                        f"{row['n']} {table} rows still use a data key older than version"
                        f" {version}.",
                        hint="Run `coach keys rotate` again.",
                    )
            return conn.execute(
                "DELETE FROM field_keys WHERE organization_id = %s AND version < %s",
                (org, version),
            ).rowcount

    def organizations_with_keys(self) -> list[uuid.UUID]:
        with self._db.transaction() as conn:  # a system task across organizations
            rows = conn.execute(
                "SELECT DISTINCT organization_id FROM field_keys ORDER BY organization_id"
            ).fetchall()
        return [row["organization_id"] for row in rows]

    def kek_ids_in_use(self) -> set[str]:
        with self._db.transaction() as conn:
            rows = conn.execute("SELECT DISTINCT kek_id FROM field_keys").fetchall()
        return {row["kek_id"] for row in rows}


def _key(row: dict) -> StoredDataKey:
    return StoredDataKey(**{**row, "wrapped_key": bytes(row["wrapped_key"])})
