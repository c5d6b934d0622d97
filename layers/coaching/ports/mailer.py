from __future__ import annotations

from typing import Protocol


class Mailer(Protocol):
    """Sends one email (SES in AWS, .eml files in the outbox locally)."""

    def send(self, *, to: str, subject: str, body: str) -> str:
        """Returns the message id."""
        ...
