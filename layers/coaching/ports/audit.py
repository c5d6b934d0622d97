"""The audit log: who read or changed which client data, when, and from where.

Records are append-only for the application and outlive the data they are about: erasing a
client or deleting a session leaves its records; only the retention job removes records,
once they are older than the organization's retention (usecases/retention.py).
"""

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
    # The clients whose data the action touched: those named, and every client of the
    # sessions named in ``session_ids`` (the log resolves them as it records; read back,
    # ``client_ids`` holds them all and ``session_ids`` is empty).
    client_ids: tuple[uuid.UUID, ...] = ()
    session_ids: tuple[uuid.UUID, ...] = ()
    id: int | None = None  # given by the log


@dataclass(frozen=True)
class AuditPosition:
    """Where a page of entries ended (newest first): the last entry's time and id."""

    created_at: dt.datetime
    id: int


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

    def client_access(
        self,
        org: uuid.UUID,
        client_id: uuid.UUID,
        *,
        limit: int,
        after: AuditPosition | None = None,
    ) -> list[AuditEntry]:
        """Every entry that touched the client, newest first, from after ``after``."""
        ...

    def purge_before(self, org: uuid.UUID, cutoff: dt.datetime) -> int:
        """System task (the retention job only): deletes the organization's entries older
        than ``cutoff``; how many."""
        ...
