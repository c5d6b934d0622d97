"""The audit log: who read or changed which client data, when, and from where."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class AuditEntry:
    organization_id: uuid.UUID
    actor: str  # "user:<id>" or "system:<job>": never an email
    action: str  # read, create, update, approve, delete, purge, sign_in...
    resource_type: str  # session, summary, client, template, follow_up, user...
    resource_id: str | None = None
    source: str | None = None  # the caller's IP address, or the job's name
    details: dict[str, Any] = field(default_factory=dict)  # ids and counts, never content
    created_at: dt.datetime | None = None


class AuditLog(Protocol):
    def record(self, entry: AuditEntry) -> None: ...

    def entries(
        self,
        org: uuid.UUID,
        *,
        limit: int = 100,
        before: dt.datetime | None = None,
        actor: str | None = None,
        resource_type: str | None = None,
        resource_id: str | None = None,
    ) -> list[AuditEntry]:
        """Newest first."""
        ...
