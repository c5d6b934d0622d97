"""MailFeedback on PostgreSQL: an SES event marks its follow-up failed and, for a hard bounce
or a complaint, the client's address suppressed (clients.email_suppressed_*, migration 0019)."""

from __future__ import annotations

import uuid

from coaching.adapters.postgres.database import Database
from coaching.domain.sending import MailEvent


class PostgresMailFeedback:
    def __init__(self, database: Database) -> None:
        self._db = database

    def follow_up_of(self, event: MailEvent) -> tuple[uuid.UUID, uuid.UUID] | None:
        # The owner's transaction: the event names no organization (a system task).
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT organization_id, id FROM follow_ups"
                " WHERE message_id = %s OR idempotency_key = %s"
                " ORDER BY (message_id = %s) DESC NULLS LAST LIMIT 1",
                (event.message_id, event.idempotency_key, event.message_id),
            ).fetchone()
        return (row["organization_id"], row["id"]) if row else None

    def record_undeliverable(
        self, org: uuid.UUID, follow_up_id: uuid.UUID, event: MailEvent
    ) -> bool:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "SELECT status, status_reason, message_id, client_id FROM follow_ups"
                " WHERE organization_id = %s AND id = %s FOR UPDATE",
                (org, follow_up_id),
            ).fetchone()
            if row is None:
                return False
            earlier_message = (
                row["message_id"] is not None and row["message_id"] != event.message_id
            )
            recorded = row["status"] == "failed" and row["status_reason"] == event.reason
            if earlier_message or recorded:
                return False
            conn.execute(
                "UPDATE follow_ups SET status = 'failed', status_reason = %s,"
                " message_id = COALESCE(message_id, %s) WHERE organization_id = %s AND id = %s",
                (event.reason, event.message_id, org, follow_up_id),
            )
            if event.suppress:
                # The first reason is kept: it is why the address stopped working.
                conn.execute(
                    "UPDATE clients SET email_suppressed_at = COALESCE(email_suppressed_at, now()),"
                    " email_suppressed_reason = COALESCE(email_suppressed_reason, %s)"
                    " WHERE organization_id = %s AND id = %s",
                    (event.reason, org, row["client_id"]),
                )
        return True
