"""Notifications in memory; like the adapter, it keeps the recipient's hash only."""

from __future__ import annotations

import hashlib
import uuid

from tests.fakes.memory import MemoryData


class FakeNotifications:
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    def record_notification(
        self,
        org: uuid.UUID,
        session_id: uuid.UUID,
        kind: str,
        recipient: str | None,
        message_id: str | None,
    ) -> None:
        self.data.notifications.setdefault((org, session_id), []).append(
            {
                "kind": kind,
                "recipient_hash": recipient_hash(recipient) if recipient else None,
                "message_id": message_id,
            }
        )


def recipient_hash(recipient: str) -> str:
    return hashlib.sha256(recipient.strip().lower().encode("utf-8")).hexdigest()
