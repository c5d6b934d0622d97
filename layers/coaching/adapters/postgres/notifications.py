"""Notifications on PostgreSQL: the recipient is stored only as a hash."""

from __future__ import annotations

import hashlib
import uuid

from coaching.adapters.postgres.database import Database


class PostgresNotifications:
    def __init__(self, database: Database) -> None:
        self._db = database

    def record_notification(
        self,
        org: uuid.UUID,
        session_id: uuid.UUID,
        kind: str,
        recipient: str | None,
        message_id: str | None,
    ) -> None:
        with self._db.transaction(org) as conn:
            conn.execute(
                "INSERT INTO notifications (organization_id, session_id, kind, recipient_hash,"
                " message_id) VALUES (%s, %s, %s, %s, %s)",
                (
                    org,
                    session_id,
                    kind,
                    recipient_hash(recipient) if recipient else None,
                    message_id,
                ),
            )


def recipient_hash(value: str) -> str:
    """How a recipient is kept: the same address (any case, spacing) gives the same hash."""
    return hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest()
