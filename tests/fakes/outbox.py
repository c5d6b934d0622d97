"""A Mailer and CoachSockets that keep what they were given."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from coaching.domain.sending import Delivery, OutgoingEmail


@dataclass
class FakeMailer:
    sent: list[dict] = field(default_factory=list)
    remembers_keys: bool = True

    def send(self, *, to: str, subject: str, body: str) -> str:
        self.sent.append({"to": to, "subject": subject, "body": body})
        return f"message-{len(self.sent)}"

    def deliver(self, email: OutgoingEmail, *, idempotency_key: str) -> Delivery:
        """Like the outbox: a key delivered before sends nothing."""
        for sent in self.sent:
            if sent.get("key") == idempotency_key:
                return Delivery(sent["message_id"], already_delivered=True)
        message_id = f"message-{len(self.sent) + 1}"
        self.sent.append(
            {
                "to": email.to,
                "subject": email.subject,
                "body": email.text,
                "key": idempotency_key,
                "message_id": message_id,
            }
        )
        return Delivery(message_id, already_delivered=False)


@dataclass
class FakeSockets:
    pushed: list[tuple] = field(default_factory=list)
    streamed: list[dict] = field(default_factory=list)  # to subscribers: steps, revisions

    def push(self, org: uuid.UUID, session_coach_id: uuid.UUID | None, message: dict) -> int:
        self.pushed.append((org, session_coach_id, message))
        return 1

    def push_to_subscribers(
        self,
        org: uuid.UUID,
        session_id: uuid.UUID,
        session_coach: Callable[[], uuid.UUID | None],
        message: dict,
        *,
        skip: str | None = None,
    ) -> int:
        self.streamed.append(message)
        return 1
