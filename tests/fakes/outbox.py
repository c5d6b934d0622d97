"""A Mailer and CoachSockets that keep what they were given."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass
class FakeMailer:
    sent: list[dict] = field(default_factory=list)

    def send(self, *, to: str, subject: str, body: str) -> str:
        self.sent.append({"to": to, "subject": subject, "body": body})
        return f"message-{len(self.sent)}"


@dataclass
class FakeSockets:
    pushed: list[tuple] = field(default_factory=list)

    def push(self, org: uuid.UUID, session_coach_id: uuid.UUID | None, message: dict) -> int:
        self.pushed.append((org, session_coach_id, message))
        return 1
