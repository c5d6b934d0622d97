from __future__ import annotations

from typing import Protocol

from coaching.domain.sending import Delivery, OutgoingEmail


class Mailer(Protocol):
    """Sends email (SES in AWS, .eml files in the outbox locally)."""

    # Whether ``deliver`` itself refuses a key delivered before (the outbox does; SES keeps
    # no keys, so an attempt left 'sending' is not repeated through it: never twice).
    remembers_keys: bool

    def send(self, *, to: str, subject: str, body: str) -> str:
        """A plain-text notice to a coach. Returns the message id."""
        ...

    def deliver(self, email: OutgoingEmail, *, idempotency_key: str) -> Delivery:
        """Sends ``email`` unless ``idempotency_key`` was delivered before; then sends nothing
        and returns the first delivery's message id (a retry never emails anyone twice)."""
        ...
