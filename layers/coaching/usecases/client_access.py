"""Accounting of access: every recorded access to one client's data, the basis of a breach
assessment. Read from the audit log, which keeps it after the client is erased."""

from __future__ import annotations

import uuid
from typing import Any

from coaching.domain.errors import NotFound
from coaching.ports.audit import AuditEntry, AuditLog, AuditPosition
from coaching.ports.clients import ClientStore


def client_access_log(
    log: AuditLog,
    clients: ClientStore,
    org: uuid.UUID,
    client_id: uuid.UUID,
    *,
    limit: int,
    after: AuditPosition | None = None,
) -> tuple[list[AuditEntry], AuditPosition | None]:
    """A page of entries, newest first, and where the next page starts (None: the last).

    NotFound when the organization neither has the client nor any record of them: another
    organization's client, or none. An erased client's records are still there."""
    found = log.client_access(org, client_id, limit=limit + 1, after=after)
    if not found and after is None and clients.get_client(org, None, client_id) is None:
        raise NotFound(f"Client {client_id} does not exist.")
    page = found[:limit]
    last = page[-1] if len(found) > limit else None
    position = (
        AuditPosition(created_at=last.created_at, id=last.id)
        if last is not None and last.created_at is not None and last.id is not None
        else None
    )
    return page, position


def access_view(entry: AuditEntry) -> dict[str, Any]:
    """One audit entry as the audit log and the access log show it: who (a user id, a key or
    a system job, never an email), when, what, from where."""
    return {
        "at": entry.created_at.isoformat() if entry.created_at else None,
        "actor": entry.actor,
        "action": entry.action,
        "resource_type": entry.resource_type,
        "resource_id": entry.resource_id,
        "source": entry.source,
        "details": entry.details,
    }
