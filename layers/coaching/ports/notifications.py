"""The notices sent (or not) about a session."""

from __future__ import annotations

import uuid
from typing import Protocol


class Notifications(Protocol):
    def record_notification(
        self,
        org: uuid.UUID,
        session_id: uuid.UUID,
        kind: str,
        recipient: str | None,
        message_id: str | None,
    ) -> None:
        """A notice about the session; ``recipient`` and ``message_id`` None: none was sent
        (the session has no coach to tell). The recipient is kept only as a hash."""
        ...
