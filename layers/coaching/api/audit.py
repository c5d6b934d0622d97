"""Audit records for the API: every read or change of client data writes one."""

from __future__ import annotations

from typing import Any

from coaching.composition import audit_log
from coaching.domain.identity import Principal
from coaching.ports.audit import AuditEntry


def audit(
    principal: Principal,
    action: str,
    resource_type: str,
    resource_id: Any = None,
    **details: Any,
) -> None:
    """Records who did ``action`` on which resource, from where. ``details``: ids and counts
    only, never client content or emails."""
    audit_log().record(
        AuditEntry(
            organization_id=principal.organization_id,
            actor=principal.actor,
            action=action,
            resource_type=resource_type,
            resource_id=None if resource_id is None else str(resource_id),
            source=principal.source_ip,
            details=details,
        )
    )
