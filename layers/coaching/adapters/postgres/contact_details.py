"""ContactDetails on PostgreSQL: clients' email and phone as ciphertexts, the email also as a
keyed hash to search by (migration 0012). Plaintext never reaches the database."""

from __future__ import annotations

import uuid
from typing import Any

from psycopg import sql

from coaching.adapters.field_cipher import FieldDecryptionError
from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.field_keys import key_version_sql
from coaching.adapters.postgres.sql_parts import assignments
from coaching.domain.clients import CONTACT_FIELDS, ClientContact
from coaching.domain.errors import TransientError
from coaching.observability import logger
from coaching.ports.field_crypto import FieldCipher

_CIPHERTEXT = {field: f"{field}_ciphertext" for field in CONTACT_FIELDS}
_ANY_ROW = sql.SQL("TRUE")
# Writes that raced a key retirement: encrypted again under the new key.
_ATTEMPTS = 3


class PostgresContactDetails:
    def __init__(self, database: Database, cipher: FieldCipher) -> None:
        self._db = database
        self._cipher = cipher

    def contact(self, org: uuid.UUID, client_id: uuid.UUID) -> ClientContact:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "SELECT email_ciphertext, phone_ciphertext FROM clients"
                " WHERE organization_id = %s AND id = %s",
                (org, client_id),
            ).fetchone()
        return self._decrypted(org, client_id, row) if row else ClientContact()

    def update_contact(
        self, org: uuid.UUID, client_id: uuid.UUID, changes: dict[str, str | None]
    ) -> ClientContact | None:
        unknown = set(changes) - set(CONTACT_FIELDS)
        if unknown:
            raise ValueError(f"not contact fields: {sorted(unknown)}")
        for _ in range(_ATTEMPTS):
            columns = self._encrypted_columns(org, client_id, changes)
            if "email" in changes:
                # A new (or re-entered) address is the coach's word that it works: SES's
                # suppression of the old one (migration 0019) no longer applies.
                columns |= {"email_suppressed_at": None, "email_suppressed_reason": None}
            outcome = self._write(org, client_id, columns)
            if outcome != "retry":
                return outcome
        raise TransientError("The contact details could not be saved, retrying later.")

    def email_lookup(self, org: uuid.UUID, email: str) -> list[bytes]:
        return self._cipher.lookup_indexes(org, "email", email)

    def reencrypt(self, org: uuid.UUID, below_version: int) -> int:
        stale = sql.SQL(" OR ").join(
            sql.SQL("({} IS NOT NULL AND {} < %(version)s)").format(
                sql.Identifier(column), key_version_sql(column)
            )
            for column in _CIPHERTEXT.values()
        )
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT id, email_ciphertext, phone_ciphertext FROM clients"
                    " WHERE organization_id = %(org)s AND ({})"
                ).format(stale),
                {"org": org, "version": below_version},
            ).fetchall()
        changed = 0
        for row in rows:
            try:
                contact = self._decrypted(org, row["id"], row)
            except FieldDecryptionError:
                # Damaged or moved: left as it is, so its key cannot be retired either.
                logger.warning(
                    "a client's contact details do not decrypt", extra={"client_id": str(row["id"])}
                )
                continue
            fields = {f: getattr(contact, f) for f in CONTACT_FIELDS if row[_CIPHERTEXT[f]]}
            columns = self._encrypted_columns(org, row["id"], fields)
            # Only if nobody changed the row meanwhile (their write is already current).
            unchanged = sql.SQL(" AND ").join(
                sql.SQL("{} IS NOT DISTINCT FROM {}::bytea").format(
                    sql.Identifier(column), sql.Placeholder(f"was_{column}")
                )
                for column in _CIPHERTEXT.values()
            )
            original = {f"was_{column}": row[column] for column in _CIPHERTEXT.values()}
            if self._write(org, row["id"], columns, unchanged, original) not in (None, "retry"):
                changed += 1
        return changed

    def encrypt_plaintext(self) -> int:
        # A system task across organizations (the owner), then each write in its organization.
        with self._db.transaction() as conn:
            rows = conn.execute(
                "SELECT organization_id, id, legacy_plaintext_email, email_ciphertext"
                " FROM clients WHERE legacy_plaintext_email IS NOT NULL"
            ).fetchall()
        for row in rows:
            org, client_id = row["organization_id"], row["id"]
            email = (row["legacy_plaintext_email"] or "").strip()
            columns: dict[str, Any] = {"legacy_plaintext_email": None}
            if email and row["email_ciphertext"] is None:  # never over a newer encrypted one
                columns |= self._encrypted_columns(org, client_id, {"email": email})
            self._write(org, client_id, columns)
        return len(rows)

    # -- helpers -----------------------------------------------------------------------

    def _encrypted_columns(
        self, org: uuid.UUID, client_id: uuid.UUID, changes: dict[str, str | None]
    ) -> dict[str, Any]:
        columns: dict[str, Any] = {}
        for field, value in changes.items():
            value = value.strip() if value else None
            columns[_CIPHERTEXT[field]] = (
                self._cipher.encrypt(org, client_id, field, value) if value else None
            )
            if field == "email":
                columns["email_index"] = self._cipher.index(org, field, value) if value else None
        return columns

    def _write(
        self,
        org: uuid.UUID,
        client_id: uuid.UUID,
        columns: dict[str, Any],
        condition: sql.Composable = _ANY_ROW,
        condition_values: dict[str, Any] | None = None,
    ) -> ClientContact | None | str:
        """The contact after the write; None when there is no such client (or the condition
        no longer holds); "retry" when a key it used was retired meanwhile."""
        versions = sorted(
            {
                self._cipher.version_of(v)
                for k, v in columns.items()
                if k.endswith("_ciphertext") and v
            }
        )
        changes = assignments(columns, named=True) if columns else sql.SQL("id = id")
        with self._db.transaction(org) as conn:
            row = conn.execute(
                # The key check sees a retirement that committed while this waited.
                sql.SQL(
                    "UPDATE clients SET {} WHERE organization_id = %(org)s AND id = %(client)s"
                    " AND {} AND (SELECT count(*) FROM field_keys WHERE organization_id = %(org)s"
                    "  AND version = ANY(%(versions)s::int[])) = cardinality(%(versions)s::int[])"
                    " RETURNING email_ciphertext, phone_ciphertext"
                ).format(changes, condition),
                {
                    **columns,
                    **(condition_values or {}),
                    "org": org,
                    "client": client_id,
                    "versions": versions,
                },
            ).fetchone()
            if row is None:
                exists = conn.execute(
                    "SELECT 1 FROM clients WHERE organization_id = %s AND id = %s",
                    (org, client_id),
                ).fetchone()
        if row is None:
            return "retry" if exists and condition == "TRUE" else None
        return self._decrypted(org, client_id, row)

    def _decrypted(self, org: uuid.UUID, client_id: uuid.UUID, row: dict) -> ClientContact:
        values = {
            field: self._cipher.decrypt(org, client_id, field, bytes(row[column]))
            if row[column] is not None
            else None
            for field, column in _CIPHERTEXT.items()
        }
        return ClientContact(**values)
