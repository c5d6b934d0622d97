"""ClientRecords on PostgreSQL: the coach-kept parts of a client's record, and merging two
records of one person. Scoped by organization; contact details are not read or written here
(adapters/postgres/contact_details.py keeps them encrypted)."""

from __future__ import annotations

import uuid

import psycopg

from coaching.adapters.postgres.database import Database
from coaching.domain.clients import ClientDetails, ClientDetailsUpdate, Merge
from coaching.domain.errors import Conflict

# The rows that name a client, moved to the kept record by a merge (summaries follow their
# client session; the other record's own contact details go with it).
_MOVED = ("client_sessions", "session_participants", "follow_ups")


class PostgresClientRecords:
    def __init__(self, database: Database) -> None:
        self._db = database

    def details(self, org: uuid.UUID, client_id: uuid.UUID) -> ClientDetails | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "SELECT id, name, status, opted_out_at, external_id, email_suppressed_at,"
                " email_suppressed_reason FROM clients"
                " WHERE organization_id = %s AND id = %s",
                (org, client_id),
            ).fetchone()
        return ClientDetails(**row) if row else None

    def update_details(
        self,
        org: uuid.UUID,
        client_id: uuid.UUID,
        update: ClientDetailsUpdate,
    ) -> ClientDetails | None:
        try:
            with self._db.transaction(org) as conn:
                row = conn.execute(
                    "UPDATE clients SET name = %(name)s, status = %(status)s,"
                    " external_id = %(external_id)s,"
                    " opted_out_at = CASE WHEN %(opted_out)s"
                    "  THEN COALESCE(opted_out_at, now()) END"
                    " WHERE organization_id = %(org)s AND id = %(client)s"
                    " RETURNING id, name, status, opted_out_at, external_id",
                    {
                        "name": update.name,
                        "status": update.status,
                        "external_id": update.external_id,
                        "opted_out": update.opted_out,
                        "org": org,
                        "client": client_id,
                    },
                ).fetchone()
        except psycopg.errors.UniqueViolation:
            raise Conflict(
                "Another client has this name or external id: merge the two records instead."
            ) from None
        return ClientDetails(**row) if row else None

    def find(self, org: uuid.UUID, *, external_id: str | None, name: str) -> ClientDetails | None:
        with self._db.transaction(org) as conn:
            if external_id:
                row = conn.execute(
                    "SELECT id, name, status, opted_out_at, external_id FROM clients"
                    " WHERE organization_id = %s AND external_id = %s",
                    (org, external_id),
                ).fetchone()
                if row:
                    return ClientDetails(**row)
            row = conn.execute(
                "SELECT id, name, status, opted_out_at, external_id FROM clients"
                " WHERE organization_id = %s"
                " AND lower(name) = lower(%s) ORDER BY name = %s DESC, id LIMIT 1",
                (org, name, name),
            ).fetchone()
        return ClientDetails(**row) if row else None

    def create(self, org: uuid.UUID, *, name: str, external_id: str | None) -> ClientDetails | None:
        try:
            with self._db.transaction(org) as conn:
                row = conn.execute(
                    "INSERT INTO clients (organization_id, name, status, external_id)"
                    " VALUES (%s, %s, 'active', %s)"
                    " RETURNING id, name, status, opted_out_at, external_id",
                    (org, name, external_id),
                ).fetchone()
        except psycopg.errors.UniqueViolation:
            return None
        return ClientDetails(**row)

    def merge(self, org: uuid.UUID, kept: uuid.UUID, other: uuid.UUID) -> Merge | None:
        with self._db.transaction(org) as conn:
            found = conn.execute(
                "SELECT id FROM clients WHERE organization_id = %s AND id = ANY(%s)"
                " ORDER BY id FOR UPDATE",
                (org, [kept, other]),
            ).fetchall()
            if len(found) != 2:
                return None
            shared = conn.execute(
                "SELECT 1 FROM session_participants a JOIN session_participants b"
                " ON a.session_id = b.session_id AND a.organization_id = b.organization_id"
                " WHERE a.organization_id = %s AND a.client_id = %s AND b.client_id = %s"
                " UNION ALL SELECT 1 FROM client_sessions a JOIN client_sessions b"
                " ON a.session_id = b.session_id"
                " WHERE a.organization_id = %s AND a.client_id = %s AND b.client_id = %s"
                " LIMIT 1",
                (org, kept, other, org, kept, other),
            ).fetchone()
            if shared:
                raise Conflict("Both clients speak in one session: they are two people.")
            moved = {
                table: conn.execute(
                    f"UPDATE {table} SET client_id = %s"  # noqa: S608 - a fixed table name
                    " WHERE organization_id = %s AND client_id = %s",
                    (kept, org, other),
                ).rowcount
                for table in _MOVED
            }
            conn.execute(
                # The kept record stays opted out if either was: the client said so once.
                "UPDATE clients SET opted_out_at = COALESCE(clients.opted_out_at,"
                " (SELECT opted_out_at FROM clients o WHERE o.organization_id = %s AND o.id = %s))"
                " WHERE organization_id = %s AND id = %s",
                (org, other, org, kept),
            )
            conn.execute("DELETE FROM clients WHERE organization_id = %s AND id = %s", (org, other))
        return Merge(moved=moved)
