"""Saved export mappings over the API: an organization's own renames and omissions, made by
anyone who may export and changed only by their maker or an admin. Checking and saving is
x17-crm's ``save_mapping`` (usecases/export_mappings.py)."""

from __future__ import annotations

from dataclasses import dataclass

from coaching.domain.errors import Conflict, Forbidden, NotFound
from coaching.domain.identity import Principal, Role
from coaching.ports.audit import AuditEntry, AuditLog
from coaching.ports.directory import Directory
from coaching.ports.export_mappings import ExportMappings, MappingRule, SavedMapping
from coaching.ports.export_schedules import ExportSchedules
from coaching.usecases.access import visibility_for
from coaching.usecases.export_mappings import save_mapping

MOST_MAPPINGS_PER_ORGANIZATION = 50


@dataclass(frozen=True)
class MappingPorts:
    store: ExportMappings
    audit: AuditLog
    directory: Directory
    schedules: ExportSchedules | None = None  # a mapping a schedule uses stays


def mappings_of(ports: MappingPorts, principal: Principal) -> list[SavedMapping]:
    visibility_for(principal, ports.directory)  # support: 403
    return ports.store.list(principal.organization_id)


def mapping_of(ports: MappingPorts, principal: Principal, name: str) -> SavedMapping:
    visibility_for(principal, ports.directory)
    found = ports.store.get(principal.organization_id, name)
    if found is None:
        raise NotFound(f"There is no saved mapping '{name}'.")
    return found


def create_mapping(
    ports: MappingPorts, principal: Principal, name: str, rules: tuple[MappingRule, ...]
) -> SavedMapping:
    visibility_for(principal, ports.directory)
    org = principal.organization_id
    if ports.store.get(org, name) is not None:
        raise Conflict(f"A mapping '{name}' exists already.", hint="PUT it to change it.")
    if len(ports.store.list(org)) >= MOST_MAPPINGS_PER_ORGANIZATION:
        raise Conflict(
            f"The organization has {MOST_MAPPINGS_PER_ORGANIZATION} mappings, the most it may.",
            hint="Change one it has instead.",
        )
    return save_mapping(ports.store, ports.audit, org, SavedMapping(name, rules, principal.actor))


def _changeable(ports: MappingPorts, principal: Principal, name: str) -> SavedMapping:
    existing = mapping_of(ports, principal, name)
    if existing.created_by != principal.actor and principal.role is not Role.ADMIN:
        raise Forbidden("Only the mapping's maker or an admin may change it.")
    return existing


def replace_mapping(
    ports: MappingPorts, principal: Principal, name: str, rules: tuple[MappingRule, ...]
) -> SavedMapping:
    existing = _changeable(ports, principal, name)
    kept = SavedMapping(name, rules, existing.created_by)
    return save_mapping(ports.store, ports.audit, principal.organization_id, kept)


def delete_mapping(ports: MappingPorts, principal: Principal, name: str) -> None:
    """Its maker or an admin deletes it, unless an export schedule still uses it (a run
    would fail on a mapping that is gone)."""
    _changeable(ports, principal, name)
    org = principal.organization_id
    if ports.schedules is not None:
        using = [s for s in ports.schedules.list_schedules(org, None) if s.mapping_name == name]
        if using:
            raise Conflict(
                f"{len(using)} export schedule(s) use the mapping '{name}'.",
                hint="Delete those schedules first.",
            )
    ports.store.delete(org, name)
    ports.audit.record(
        AuditEntry(
            organization_id=org,
            actor=principal.actor,
            action="delete",
            resource_type="export_mapping",
            resource_id=name,
            source=principal.source_ip,
        )
    )
