"""Audit records for the API: every read or change of client data writes one."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from coaching.api.context import ports_of
from coaching.api.paging import offset_page
from coaching.domain.identity import Principal
from coaching.ports.audit import AuditEntry


def audit(
    router: Any,
    principal: Principal,
    action: str,
    resource_type: str,
    resource_id: Any = None,
    *,
    clients: Iterable[Any] = (),
    sessions: Iterable[Any] = (),
    **details: Any,
) -> None:
    """Records in the audit log of ``router``'s app who did ``action`` on which resource,
    from where. ``clients``: the clients whose data it touched; ``sessions``: sessions read
    or changed, every client in them touched too (GET /v1/clients/{id}/access-log lists
    both). ``details``: ids and counts only, never client content or emails."""
    ports_of(router).audit_log.record(
        AuditEntry(
            organization_id=principal.organization_id,
            actor=principal.actor,
            action=action,
            resource_type=resource_type,
            resource_id=None if resource_id is None else str(resource_id),
            source=principal.source_ip,
            details=details,
            client_ids=tuple(uuid.UUID(str(c)) for c in clients),
            session_ids=tuple(uuid.UUID(str(s)) for s in sessions),
        )
    )


def audited_page(
    router, principal: Principal, resource: str, found: list[dict], *, limit: int, offset: int
) -> dict:
    """A list route's answer from ``found`` (fetched with one row more than ``limit``): the
    page, its paging, and the read audited by the clients it shows."""
    page, next_offset = offset_page(found, limit, offset)
    audit(
        router,
        principal,
        "read",
        resource,
        None,
        clients=[item["client_id"] for item in page],
        count=len(page),
    )
    return {"items": page, "limit": limit, "offset": offset, "next_offset": next_offset}
