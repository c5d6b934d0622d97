"""Follow-ups on their way out: each status change one transaction, scoped to ``org``."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Protocol

from coaching.domain.sending import SendClaim


class FollowUpSending(Protocol):
    def start_sending(self, org: uuid.UUID, follow_up_id: uuid.UUID) -> SendClaim | None:
        """Moves the follow-up to 'sending' and returns what to send; None when it was sent
        already. A follow-up left 'sending' by an unfinished attempt is returned again, with
        the same idempotency key. Conflict when its summary is not approved or its words
        changed since approval; a client who unsubscribed leaves it 'failed' (None)."""
        ...

    def record_sent(self, org: uuid.UUID, follow_up_id: uuid.UUID, message_id: str) -> None: ...

    def record_failed(self, org: uuid.UUID, follow_up_id: uuid.UUID, reason: str) -> None: ...

    def schedule(self, org: uuid.UUID, follow_up_id: uuid.UUID, at: dt.datetime) -> None:
        """draft, failed or scheduled → scheduled at ``at``; Conflict from any other status
        or when the summary is not approved (or its words changed)."""
        ...

    def edit(self, org: uuid.UUID, follow_up_id: uuid.UUID, subject: str, body: str) -> None:
        """The coach's own words for the email, while it is a draft (or failed); Conflict
        once it is scheduled, sending or sent."""
        ...

    def cancel(self, org: uuid.UUID, follow_up_id: uuid.UUID) -> None:
        """scheduled → draft; Conflict from any other status."""
        ...

    def approved_follow_ups(self, org: uuid.UUID, session_id: uuid.UUID) -> list[uuid.UUID]:
        """The session's follow-ups not yet sent (for the batch)."""
        ...

    def unsubscribe(self, org: uuid.UUID, client_id: uuid.UUID) -> bool:
        """Marks the client unsubscribed (keeps the first time); False: no such client."""
        ...

    def due(self, now: dt.datetime) -> list[tuple[uuid.UUID, uuid.UUID]]:
        """(organization, follow-up) of every scheduled send due at ``now``, across
        organizations (a system task: the scheduler's)."""
        ...
