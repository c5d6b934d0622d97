"""What SES reports after a send (a bounce, a complaint), applied to the follow-up it was
about and to the client's address."""

from __future__ import annotations

import uuid
from typing import Protocol

from coaching.domain.sending import MailEvent


class MailFeedback(Protocol):
    def follow_up_of(self, event: MailEvent) -> tuple[uuid.UUID, uuid.UUID] | None:
        """(organization, follow-up) the event's message was, found by the message id or the
        idempotency key, across organizations (a system task); None: not a follow-up (a
        notice to a coach) or no longer stored."""
        ...

    def record_undeliverable(
        self, org: uuid.UUID, follow_up_id: uuid.UUID, event: MailEvent
    ) -> bool:
        """In one transaction: the follow-up 'failed' with the event's reason and, when the
        event says so, the client's address suppressed. False when there was nothing to do:
        the event was recorded before (redelivered), or it is about an earlier message than
        the follow-up's latest (the coach sent again to a changed address)."""
        ...
