"""A user's own export mappings: saved after they are checked against the schemas (audited),
and any mapping found by name: a ready-made one (``hubspot``, ``salesforce``) or a saved one.
"""

from __future__ import annotations

import uuid

from coaching.domain.errors import NotFound
from coaching.exports.mappings import READY_MADE, Mapping, from_saved, validated
from coaching.ports.audit import AuditEntry, AuditLog
from coaching.ports.export_mappings import ExportMappings, SavedMapping


def save_mapping(
    store: ExportMappings,
    audit: AuditLog | None,
    org: uuid.UUID,
    mapping: SavedMapping,
) -> SavedMapping:
    """Checks and saves the mapping (replacing one of that name); MappingInvalid saying what
    is wrong otherwise."""
    store.save(org, validated(mapping))
    if audit is not None:
        audit.record(
            AuditEntry(
                organization_id=org,
                actor=mapping.created_by or "system:unknown",
                action="update",
                resource_type="export_mapping",
                resource_id=mapping.name,
                details={"entities": [rule.entity for rule in mapping.rules]},
            )
        )
    return mapping


def mapping_named(store: ExportMappings | None, org: uuid.UUID, name: str) -> Mapping:
    """The ready-made mapping of that name (any case), else the organization's saved one."""
    ready = READY_MADE.get(name.lower())
    if ready is not None:
        return ready
    saved = store.get(org, name) if store is not None else None
    if saved is None:
        known = [*READY_MADE, *(m.name for m in store.list(org))] if store is not None else []
        raise NotFound(f"There is no mapping '{name}'.", hint=f"Mappings: {', '.join(known)}.")
    return from_saved(saved)
